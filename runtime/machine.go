// Package runtime runs a checked lang.Program: one Thread per request or spawned SUB.
// It never imports builtins: the host hands builtins in through a Registry.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/gbhook/gbhook/lang"
)

// Registry gives the implementation of a builtin by its canonical name.
type Registry interface {
	Lookup(name string) (BuiltinFunc, bool)
}

// Options bound and connect a Machine. Zero fields take their defaults.
type Options struct {
	// MaxMemory is the bytes a run may allocate in strings, JSON and its
	// response, counted as allocated (garbage included); default 64 MiB.
	MaxMemory int64

	MaxSteps int                 // statements + loop iterations per run; default 10_000_000
	MaxDepth int                 // SUB/FUNCTION call depth; default 1000
	Getenv   func(string) string // default os.Getenv
	Logger   *slog.Logger        // default slog.Default()
	// MaxSpawns bounds the jobs one run may SPAWN; default 1000. The backlog
	// lives in the queue's database, never in this process's memory.
	MaxSpawns int
	// Reuse is the Machine of an earlier load, made by New with the same
	// Registry: the code it compiled for handlers and procs the new program
	// shares with its program (lang.Loader shares unchanged files) is not
	// compiled again (reuse.go). The new Machine does not keep it.
	Reuse *Machine
}

// Defaults.
const (
	DefaultMaxSteps  = 10_000_000
	DefaultMaxDepth  = 1000
	DefaultMaxSpawns = 1000
)

// Machine is a program compiled for running, with its builtins resolved. It is
// immutable and shared by every request; each run gets its own Thread.
type Machine struct {
	prog     *lang.Program
	opts     Options
	fns      []BuiltinFunc
	maps     []*TextMap // fns' text mappings, when the Registry has them (textmap.go)
	handlers map[*lang.Handler]*code
	sched    map[*lang.Schedule]*code // schedule.go
	subs     map[string]*code
	threads  sync.Pool // *Thread with its value stack, reused between runs
}

// code is a compiled handler, SUB or FUNCTION body.
type code struct {
	size int // frame slots
	body block
	proc *lang.Proc // nil for a handler
}

// New resolves every builtin of prog through reg, once, and compiles every
// handler, SUB and FUNCTION. It fails listing all builtins reg does not know.
func New(prog *lang.Program, reg Registry, opts Options) (*Machine, error) {
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxSpawns <= 0 {
		opts.MaxSpawns = DefaultMaxSpawns
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = DefaultMaxMemory
	}
	m := &Machine{prog: prog, opts: opts, fns: make([]BuiltinFunc, len(prog.Builtins))}
	var missing []string
	tms, _ := reg.(TextMaps)
	if tms != nil {
		m.maps = make([]*TextMap, len(prog.Builtins))
	}
	for i, b := range prog.Builtins {
		fn, ok := reg.Lookup(b.Name)
		if !ok || fn == nil {
			missing = append(missing, b.Name)
			continue
		}
		m.fns[i] = fn
		if tms != nil {
			m.maps[i] = tms.TextMap(b.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("runtime: no implementation for builtins: %s", strings.Join(missing, ", "))
	}
	if err := m.compile(); err != nil {
		return nil, err
	}
	return m, nil
}

// Program is the program the machine runs.
func (m *Machine) Program() *lang.Program { return m.prog }

// newThread starts a run on spare, or else a pooled Thread, whose value
// stack is kept from run to run; everything else starts zero.
func (m *Machine) newThread(ctx context.Context, req *Request, requestID string, spare *Thread) *Thread {
	if ctx == nil {
		ctx = context.Background()
	}
	th := spare
	if th == nil {
		th, _ = m.threads.Get().(*Thread)
	}
	if th == nil {
		th = &Thread{stack: make([]Value, 0, 64)}
	}
	th.ctx, th.machine, th.req, th.requestID, th.maxMem = ctx, m, req, requestID, m.opts.MaxMemory
	th.nextCheck = min(checkEvery, m.opts.MaxSteps+1)
	return th
}

// done empties th, but for its emptied stack and texts arrays, so that
// the pool keeps no value, request or response of the run alive, and
// returns it to the pool. Only the slots the run used are cleared: the
// others are still zero.
func (m *Machine) done(th *Thread) {
	th.empty()
	m.threads.Put(th)
}

// doneInto empties th and keeps it in resp for the next run into resp.
func (m *Machine) doneInto(th *Thread, resp *Response) {
	th.empty()
	resp.th = th
}

// empty zeroes th but for its emptied stack and texts arrays.
func (th *Thread) empty() {
	s := th.stack[:th.high]
	clearValues(s)
	// Field by field, skipping what is already zero: with the GC marking,
	// every pointer written costs a barrier, and most runs set few fields.
	th.ctx, th.machine, th.req, th.resp = nil, nil, nil, nil
	th.bodyCap, th.steps, th.mem, th.maxMem, th.depth, th.requestID = 0, 0, 0, 0, 0, ""
	if th.logger != nil {
		th.logger = nil
	}
	if th.spawned != nil {
		th.spawned = nil
	}
	if th.locals != nil {
		th.locals = nil
	}
	if th.ret != nil {
		th.ret = nil
	}
	th.stack, th.high, th.nextCheck = s[:0], 0, 0
	if len(th.texts) > 0 { // only after a panic: builds drop their texts
		th.dropTexts(0)
	}
	if cap(th.texts) > maxPooledTexts {
		th.texts = nil // a rare build of many parts does not pin its array
	}
}

// Exec runs handler h for req. It returns the buffered response and the SPAWNed
// jobs (to be queued by the host after the response is written). On error the
// response is nil.
func (m *Machine) Exec(ctx context.Context, h *lang.Handler, req *Request, requestID string) (*Response, []Job, error) {
	resp := new(Response)
	jobs, _, err := m.ExecSteps(ctx, h, req, requestID, resp)
	m.threads.Put(resp.th) // resp is the caller's now, not reused by Exec
	resp.th = nil
	if err != nil {
		return nil, nil, err
	}
	return resp, jobs, nil
}

// ExecSteps is Exec into resp, which the caller owns and may reuse from run
// to run (its memory is kept, its content replaced). It also tells how many
// steps the run took, failed or not (for metrics and the request history).
// On error resp holds no answer.
func (m *Machine) ExecSteps(ctx context.Context, h *lang.Handler, req *Request, requestID string,
	resp *Response) ([]Job, int, error) {
	resp.reset()
	c := m.handlers[h]
	if c == nil {
		return nil, 0, fmt.Errorf("runtime: handler %s is not part of this program", h.RouteString())
	}
	th := m.newThread(ctx, req, requestID, resp.th)
	resp.th = nil // a run that panics drops th: no defer on the way of every run
	th.resp = resp
	base := th.reserve(c.size)
	_, err := c.body.exec(th, th.stack[base:base+c.size:base+c.size])
	jobs, steps := th.spawned, th.steps
	m.doneInto(th, resp)
	if err != nil {
		resp.reset()
		return nil, steps, err
	}
	resp.finish()
	return jobs, steps, nil
}

// RunSub runs a spawned SUB against this program. There is no request:
// request builtins fail naming themselves. It returns the jobs the SUB SPAWNed,
// for the queue to store as it marks this job done. A SUB that no longer
// exists, or that takes another number of parameters now, fails at the
// SPAWN's position.
func (m *Machine) RunSub(ctx context.Context, job Job) ([]Job, error) {
	c := m.subs[job.Sub]
	if c == nil {
		return nil, &Error{Pos: job.Pos, Msg: "SPAWN of " + job.Sub + ": the current program has no SUB named " + job.Sub}
	}
	if len(job.Args) != len(c.proc.Params) {
		return nil, &Error{Pos: job.Pos, Msg: fmt.Sprintf("SPAWN of %s: %s %s now takes %d arguments, the job has %d",
			job.Sub, c.proc.Kind, c.proc.Name, len(c.proc.Params), len(job.Args))}
	}
	th := m.newThread(ctx, nil, job.RequestID, nil)
	defer m.done(th)
	base := th.reserve(c.size)
	copy(th.stack[base:], job.Args)
	if _, err := c.body.exec(th, th.stack[base:base+c.size:base+c.size]); err != nil {
		return nil, err
	}
	return th.spawned, nil
}

// maxPooledTexts is the most texts-stack entries a pooled Thread keeps.
const maxPooledTexts = 1024

// checkEvery is how many steps pass between two looks at the context.
const checkEvery = 1024

// tick counts one step (a statement or a loop iteration) at p. The common
// case is one increment and one comparison.
func (th *Thread) tick(p *lang.Pos) error {
	th.steps++
	if th.steps < th.nextCheck {
		return nil
	}
	return th.checkpoint(p)
}

func (th *Thread) checkpoint(p *lang.Pos) error {
	if err := th.budget(); err != nil {
		return &Error{Pos: *p, Msg: err.Error(), Err: err}
	}
	return nil
}

// budget checks the memory and step budgets and the context, and sets the
// next step at which to look again. Its errors carry no position: callers
// (checkpoint, or builtinError for Alloc and Work) add it.
func (th *Thread) budget() error {
	max := th.machine.opts.MaxSteps
	switch {
	case th.mem > th.maxMem:
		return ErrMemoryBudget
	case th.steps > max:
		return ErrStepBudget
	}
	if err := th.ctx.Err(); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return errCanceled
		}
		return ErrDeadline
	}
	th.nextCheck = min(th.steps+checkEvery, max+1)
	return nil
}

// reserve pushes n cleared slots on the value stack and gives their base
// index. Callers fill them through th.stack[base+i] (the stack may move while
// arguments are evaluated) and take the slice only once all are filled.
func (th *Thread) reserve(n int) int {
	high := th.high // len(th.stack) <= high
	base := th.push(n)
	// Above high, slots were never used: still nil. Below, only slots that
	// hold a value are written: with the GC marking, each write costs a
	// barrier, and a bulk clear a walk of the pointer bitmap.
	clearValues(th.stack[base:min(base+n, high)])
	return base
}

// push is reserve without the clearing, for slots that are all written
// before they are read (a builtin's arguments); a slot left stale by a
// failed evaluation is never read, and is cleared by the next reserve.
func (th *Thread) push(n int) int {
	base := len(th.stack)
	if cap(th.stack)-base < n {
		grown := make([]Value, base, max(2*cap(th.stack), base+n, 64))
		copy(grown, th.stack)
		th.stack = grown
	}
	th.stack = th.stack[:base+n]
	th.high = max(th.high, base+n)
	return base
}

// clearValues sets every non-nil value of s to nil.
func clearValues(s []Value) {
	for i := range s {
		if s[i] != nil {
			s[i] = nil
		}
	}
}

// release pops the stack back to base.
func (th *Thread) release(base int) { th.stack = th.stack[:base] }
