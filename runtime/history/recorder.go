package history

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"sync/atomic"
	"time"
)

// Defaults of RecorderConfig's zero fields.
const (
	// DefaultBuffer absorbs a burst. A waiting record holds its
	// request's raw headers and bodies, several KiB for a webhook, and
	// under steady load the buffer stays full (all but MaxRate a second
	// are dropped anyway): 1,024 of them held 6 MB of heap; 256 still
	// doubled the live heap of a server answering Twilio calls (1 to 2 MB),
	// and with it the GC's work per request.
	DefaultBuffer   = 64
	DefaultBodyMax  = 256 << 10
	DefaultMaxCount = 5000
	DefaultMaxAge   = 7 * 24 * time.Hour
	DefaultMaxRate  = 100 // entries written per second while a backlog waits
	// maxBatch bounds one write transaction. On SQLite the history shares
	// the queue's file and its one writer lock: a shorter batch keeps a
	// webhook's SPAWN commit from waiting behind it for long. And a batch
	// runs without yielding (SQLite is Go code here): on a server with one
	// CPU, 64 records held every request back for 6 to 9 ms, a mark on p99.
	maxBatch   = 16
	pruneEvery = time.Minute
)

// RecorderConfig sets up a Recorder. Zero fields take their defaults.
type RecorderConfig struct {
	Store    Store
	Buffer   int           // entries waiting to be written; beyond, new ones are dropped
	BodyMax  int           // bytes kept of each body (--history-body-max)
	MaxCount int           // records kept (--history-max)
	MaxAge   time.Duration // age of the oldest record kept (--history-age)
	// MaxRate bounds the entries (records and events) written per second
	// while a backlog waits, so that a flood of requests cannot make the
	// writer take CPU and disk from the webhooks: the buffer fills and
	// entries are dropped (and counted). A trickle is written at once.
	// Negative: no bound.
	MaxRate  int
	Redactor *Redactor
	Logger   *slog.Logger
	// OnDrop counts one entry dropped because the buffer was full.
	OnDrop func()
	// OnWritten sees what a batch wrote (records with their IDs), after commit.
	OnWritten func(recs []*Record, evs []Event)
}

// Recorder takes records and events from the request path without blocking
// and writes them in batches from one goroutine (Run).
type Recorder struct {
	cfg     RecorderConfig
	in      chan any // *Record, Event or flushReq
	dropped atomic.Int64
}

type flushReq chan struct{}

// NewRecorder makes a recorder; call Run to start writing.
func NewRecorder(cfg RecorderConfig) *Recorder {
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.BodyMax <= 0 {
		cfg.BodyMax = DefaultBodyMax
	}
	if cfg.MaxCount <= 0 {
		cfg.MaxCount = DefaultMaxCount
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxRate == 0 {
		cfg.MaxRate = DefaultMaxRate
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Recorder{cfg: cfg, in: make(chan any, cfg.Buffer)}
}

// Record hands r over for writing, or drops it when the buffer is full. The
// caller must not touch r afterwards.
func (rc *Recorder) Record(r *Record) { rc.offer(r) }

// Event hands e over for writing, or drops it when the buffer is full.
func (rc *Recorder) Event(e Event) { rc.offer(e) }

func (rc *Recorder) offer(x any) {
	select {
	case rc.in <- x:
	default:
		rc.Drop()
	}
}

// Room tells whether a record handed over now would be kept (the buffer is
// not full), so that the request path copies nothing for one that is not.
func (rc *Recorder) Room() bool { return len(rc.in) < cap(rc.in) }

// Drop counts an entry dropped before it was handed over (see Room).
func (rc *Recorder) Drop() {
	rc.dropped.Add(1)
	if rc.cfg.OnDrop != nil {
		rc.cfg.OnDrop()
	}
}

// Dropped is how many entries were dropped so far.
func (rc *Recorder) Dropped() int64 { return rc.dropped.Load() }

// Flush waits until everything handed over before it is written, or ctx ends.
func (rc *Recorder) Flush(ctx context.Context) error {
	done := make(flushReq)
	select {
	case rc.in <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run writes until ctx ends, then writes what is still buffered and returns.
func (rc *Recorder) Run(ctx context.Context) {
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	rc.prune()
	for {
		select {
		case <-ctx.Done():
			rc.drain()
			return
		case <-tick.C:
			rc.prune()
		case x := <-rc.in:
			n := rc.batch(x)
			rc.pace(ctx, n)
		}
	}
}

// pace waits, when more is waiting, as long as writing n records may take
// under MaxRate.
func (rc *Recorder) pace(ctx context.Context, n int) {
	if rc.cfg.MaxRate <= 0 || n == 0 || len(rc.in) == 0 {
		return
	}
	t := time.NewTimer(time.Duration(n) * time.Second / time.Duration(rc.cfg.MaxRate))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// drain writes what is buffered at shutdown.
func (rc *Recorder) drain() {
	for {
		select {
		case x := <-rc.in:
			rc.batch(x)
		default:
			return
		}
	}
}

// batch writes first and whatever else is already waiting, up to maxBatch,
// and tells how many entries (records and events) it wrote.
func (rc *Recorder) batch(first any) int {
	var recs []*Record
	var evs []Event
	var flushes []flushReq
	add := func(x any) {
		switch v := x.(type) {
		case *Record:
			rc.prepare(v)
			recs = append(recs, v)
		case Event:
			rc.prepareEvent(&v)
			evs = append(evs, v)
		case flushReq:
			flushes = append(flushes, v)
		}
	}
	add(first)
	for n := 1; n < maxBatch && len(flushes) == 0; n++ {
		select {
		case x := <-rc.in:
			add(x)
			continue
		default:
		}
		break
	}
	if len(recs)+len(evs) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := rc.cfg.Store.Write(ctx, recs, evs, rc.cfg.MaxCount)
		cancel()
		if err != nil {
			rc.cfg.Logger.Error("writing request history", "records", len(recs), "events", len(evs), "err", err)
		} else if rc.cfg.OnWritten != nil {
			rc.cfg.OnWritten(recs, evs)
		}
	}
	for _, f := range flushes {
		close(f)
	}
	// Events count too: a flood of LOG lines and mails costs the disk as
	// much as the records do (counting records alone let batches of events
	// go out unpaced).
	return len(recs) + len(evs)
}

func (rc *Recorder) prune() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := rc.cfg.Store.Prune(ctx, rc.cfg.MaxCount, rc.cfg.MaxAge); err != nil {
		rc.cfg.Logger.Error("pruning request history", "err", err)
	}
}

// prepare caps and redacts r's parts, off the request path.
func (rc *Recorder) prepare(r *Record) {
	red := rc.cfg.Redactor
	if r.Request != nil {
		red = red.ForRequest(r.Request.Headers)
	}
	r.Path = red.String(r.Path)
	r.Error = red.String(r.Error)
	if r.Request != nil {
		r.Request.Headers = red.Header(r.Request.Headers)
		r.Request.Body, r.Request.Truncated = red.Body(r.ReqBody, rc.cfg.BodyMax)
	}
	if r.Response != nil {
		r.Response.Headers = red.Header(r.Response.Headers)
		r.Response.Body, r.Response.Truncated = red.Body(r.RespBody, rc.cfg.BodyMax)
	}
	r.ReqBody, r.RespBody = nil, nil
	for i := range r.Jobs {
		r.Jobs[i].Error = red.String(r.Jobs[i].Error)
	}
	if r.ErrorPos != nil && r.ErrorSource == nil {
		r.ErrorSource = readSource(r.ErrorPos, 3)
		if r.ErrorSource != nil {
			for i := range r.ErrorSource.Lines {
				r.ErrorSource.Lines[i].Text = red.String(r.ErrorSource.Lines[i].Text)
			}
		}
	}
}

func (rc *Recorder) prepareEvent(e *Event) {
	red := rc.cfg.Redactor
	switch {
	case e.Log != nil:
		l := *e.Log
		l.Msg = red.String(l.Msg)
		e.Log = &l
	case e.Job != nil:
		j := *e.Job
		j.Error = red.String(j.Error)
		e.Job = &j
	case e.Delivery != nil:
		d := *e.Delivery
		d.Error, d.To, d.Where = red.String(d.Error), red.String(d.To), red.String(d.Where)
		d.Host, d.Path = red.String(d.Host), red.String(d.Path)
		e.Delivery = &d
	}
}

// readSource reads the lines around p from its script, or nil when the file
// cannot be read.
func readSource(p *ErrorAt, around int) *SourceLines {
	f, err := os.Open(p.File)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := &SourceLines{File: p.File, Line: p.Line, Col: p.Col}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan() && n <= p.Line+around; n++ {
		if n >= p.Line-around {
			out.Lines = append(out.Lines, SourceLine{N: n, Text: sc.Text()})
		}
	}
	return out
}
