package server

import (
	"context"
	"sync"
	"time"

	"github.com/gbhook/gbhook/runtime/history"
)

// deadlineCtx is parent with a deadline whose timer is made only when
// something waits for it. Most runs never do: the interpreter looks at Err
// every 1024 steps, and Err reads the clock. A builtin that does I/O (an
// HTTP call, a mail, a database) asks for Done, directly or through a
// context derived from this one, and from then on a real
// context.WithDeadline stands behind every method. So each request keeps its
// deadline, without a timer, a child context and a cancel func per request
// (context.WithTimeout allocates all three).
type deadlineCtx struct {
	parent context.Context
	d      time.Time
	rid    string // the request's id, answered for history.RequestIDKey

	mu    sync.Mutex
	timed context.Context    // made by the first Done
	stop  context.CancelFunc // timed's
	err   error              // set by cancel before timed was made
}

// closedDone is the Done of a deadlineCtx cancelled before anyone waited.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// withDeadline is context.WithDeadline(parent, d), made lazily; cancel must
// be called when the work is done, as context's cancel funcs must.
func withDeadline(parent context.Context, d time.Time) *deadlineCtx {
	c := &deadlineCtx{}
	c.init(parent, d, "")
	return c
}

// init sets up a zero deadlineCtx (one that lives in a request's reqCtx)
// for request rid ("": none).
func (c *deadlineCtx) init(parent context.Context, d time.Time, rid string) {
	c.parent, c.d, c.rid = parent, d, rid
}

// real gives the context.WithDeadline standing in for c, making it; nil
// once c was cancelled without one.
func (c *deadlineCtx) real() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timed == nil && c.err == nil {
		c.timed, c.stop = context.WithDeadline(c.parent, c.d)
	}
	return c.timed
}

func (c *deadlineCtx) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.d) {
		return d, true
	}
	return c.d, true
}

func (c *deadlineCtx) Done() <-chan struct{} {
	if t := c.real(); t != nil {
		return t.Done()
	}
	return closedDone
}

// Err is the real context's once there is one; before, the parent's error,
// or DeadlineExceeded once the clock has passed d.
func (c *deadlineCtx) Err() error {
	c.mu.Lock()
	t, err := c.timed, c.err
	c.mu.Unlock()
	switch {
	case t != nil:
		return t.Err()
	case err != nil:
		return err
	}
	return c.clockErr()
}

func (c *deadlineCtx) clockErr() error {
	if err := c.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.d) {
		return context.DeadlineExceeded
	}
	return nil
}

// Value goes through the real context once there is one, so that contexts
// derived from this one (which ask Done first) find its cancellation as they
// would find WithDeadline's, without a watching goroutine.
func (c *deadlineCtx) Value(key any) any {
	if _, ok := key.(history.RequestIDKey); ok && c.rid != "" {
		return c.rid // as history.WithRequestID would, without a context more
	}
	c.mu.Lock()
	t := c.timed
	c.mu.Unlock()
	if t != nil {
		return t.Value(key)
	}
	return c.parent.Value(key)
}

// cancel ends c: its timer if it has one, else it fixes Err at the
// deadline's or parent's error, or Canceled.
func (c *deadlineCtx) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
		return
	}
	if c.err == nil {
		if c.err = c.clockErr(); c.err == nil {
			c.err = context.Canceled
		}
	}
}
