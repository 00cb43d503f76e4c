package runtime

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	goruntime "runtime"
	"time"

	"github.com/gbhook/gbhook/lang"
)

// BuiltinFunc implements one builtin. site is the call node (position, name and
// any JSON path compiled at check time); args are already evaluated.
// Statement builtins return nil. args is a view of the thread's value stack:
// a builtin must not keep it after returning.
type BuiltinFunc func(th *Thread, site *lang.CallExpr, args []Value) (Value, error)

// Request is what a handler sees of its HTTP request. Body is the raw bytes,
// already bounded by the server.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	Params   map[string]string // :name path values

	form     url.Values
	formErr  error
	formRead bool
	query    url.Values
	bodyStr  string // Body as text, made once (BodyString)
	bodyConv bool
}

// Job is a SPAWNed SUB with its evaluated arguments, the SPAWN's position and
// the id of the request (or job) that SPAWNed it.
type Job struct {
	Sub       string
	Args      []Value
	Pos       lang.Pos
	RequestID string
}

// Queue is the one job queue: it stores SPAWNed jobs durably. The server
// commits a handler's jobs, with its delivery's dedupe keys, before it
// answers; the queue's own workers run them with RunSub and store the jobs
// those SPAWN when they complete.
type Queue interface {
	// Commit stores jobs and keys in one transaction. When a key is already
	// stored it stores nothing and returns an error that is ErrDuplicate.
	Commit(ctx context.Context, jobs []Job, keys []string) error
	// Handled reports whether every one of keys is already stored.
	Handled(ctx context.Context, keys []string) (bool, error)
}

// ErrDuplicate is a delivery whose events were all handled before.
var ErrDuplicate = errors.New("delivery already handled")

// Thread is the state of one run: a handler for one request, or a spawned SUB.
// It is never shared between goroutines.
type Thread struct {
	ctx       context.Context
	machine   *Machine
	req       *Request
	resp      *Response // the caller's, filled in place; nil without a request
	bodyCap   int       // body capacity charged to the budget (response.go)
	steps     int
	mem       int64 // bytes allocated so far (Alloc), against maxMem
	maxMem    int64
	depth     int
	requestID string
	logger    *slog.Logger
	spawned   []Job
	locals    map[any]any // builtin families' per-run state (threadstate.go)

	// Interpreter state (machine.go, eval.go).
	stack     []Value  // frames and builtin arguments, pushed and popped
	high      int      // slots of stack used so far; those above are zero
	texts     []string // texts made at run time of the strings being built (concat.go)
	ret       Value    // the value of the RETURN being carried out
	nextCheck int      // step at which the budget and the context are checked next
}

// Context is the run's context (deadline, cancellation).
func (th *Thread) Context() context.Context { return th.ctx }

// Request is the HTTP request, or nil in a spawned SUB.
func (th *Thread) Request() *Request { return th.req }

// RequestID is the id carried into every log line.
func (th *Thread) RequestID() string { return th.requestID }

// Logger logs with the request id attached. It is made on first use: most
// runs never log, and With costs an allocation.
func (th *Thread) Logger() *slog.Logger {
	if th.logger == nil {
		th.logger = th.machine.opts.Logger.With("request_id", th.requestID)
	}
	return th.logger
}

// Log writes one line at level with request_id first, exactly as
// Logger().LogAttrs would, without making the logger: a run that logs a line
// or two does not pay for With. The source position is Log's caller's.
func (th *Thread) Log(level slog.Level, msg string, attrs ...slog.Attr) {
	ctx, h, id := context.Background(), th.machine.opts.Logger.Handler(), true
	if th.logger != nil {
		h, id = th.logger.Handler(), false // it has request_id already
	}
	if !h.Enabled(ctx, level) {
		return
	}
	var pcs [1]uintptr
	goruntime.Callers(2, pcs[:]) // Log's caller, as slog's own methods record theirs
	r := slog.NewRecord(time.Now(), level, msg, pcs[0])
	if id {
		r.AddAttrs(slog.String("request_id", th.requestID))
	}
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// Env reads the server's environment through the machine's lookup.
func (th *Thread) Env(name string) string { return th.machine.opts.Getenv(name) }
