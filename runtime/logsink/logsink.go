// Package logsink owns the server's log output: a line is copied into a
// bounded buffer and one goroutine writes what has gathered, with one write
// call. A request then never waits for the log file, and a burst of lines
// costs one system call instead of one each. Lines keep their order and are
// never split; a line that finds the buffer full is dropped and counted.
package logsink

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// DefaultMax is the buffer's bound in bytes: about 500 request lines, 50 ms
// of lines at 10,000 requests a second. (The writer keeps a second buffer
// to swap with: twice this stays resident.)
const DefaultMax = 128 << 10

// Writer is an io.Writer for one whole line per Write, as slog's handlers
// make. It is safe for concurrent use.
type Writer struct {
	out    io.Writer
	max    int
	onDrop func(lines int)

	mu      sync.Mutex
	buf     []byte
	dropped int  // lines dropped since the last report
	closing bool // Close has begun: wake is closed
	closed  bool // the goroutine is gone: write through

	total atomic.Uint64 // lines dropped, ever
	wake  chan struct{}
	stop  sync.Once
	done  chan struct{}
}

// New starts a Writer onto out holding at most max bytes (DefaultMax when
// max <= 0). onDrop, when set, is told how many lines were dropped after the
// writer caught up, from the writer's goroutine, so that it may log.
func New(out io.Writer, max int, onDrop func(lines int)) *Writer {
	if max <= 0 {
		max = DefaultMax
	}
	w := &Writer{out: out, max: max, onDrop: onDrop, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go w.run()
	return w
}

// Write queues p, a whole line, and returns at once. After Close it writes
// through.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.out.Write(p)
	}
	if len(w.buf)+len(p) > w.max && len(w.buf) > 0 {
		w.dropped++
		w.mu.Unlock()
		w.total.Add(1)
		return len(p), nil
	}
	if len(w.buf) == 0 && !w.closing {
		// Under the lock: Close closes wake under it too.
		select {
		case w.wake <- struct{}{}:
		default: // already woken
		}
	}
	w.buf = append(w.buf, p...)
	w.mu.Unlock()
	return len(p), nil
}

// Dropped is how many lines were dropped since New.
func (w *Writer) Dropped() uint64 { return w.total.Load() }

// Close writes what is queued and stops the goroutine; later lines are
// written through.
func (w *Writer) Close() error {
	w.stop.Do(func() {
		w.mu.Lock()
		w.closing = true
		close(w.wake)
		w.mu.Unlock()
	})
	<-w.done
	return nil
}

func (w *Writer) run() {
	defer close(w.done)
	var spare []byte
	for {
		_, open := <-w.wake
		// The line's writer readied this goroutine to run next: step back
		// behind the goroutines already waiting, so that under load their
		// lines join this write (on one CPU there would be a write a line).
		runtime.Gosched()
		w.mu.Lock()
		out, dropped := w.buf, w.dropped
		w.buf, w.dropped = spare[:0], 0
		w.mu.Unlock()
		if len(out) > 0 {
			_, _ = w.out.Write(out) // nowhere to report a failed log write
		}
		if dropped > 0 && w.onDrop != nil {
			w.onDrop(dropped)
		}
		// Keep the larger buffer; one that grew past the bound is let go.
		spare = out
		if cap(spare) > 2*w.max {
			spare = nil
		}
		if !open {
			w.flushLate()
			return
		}
	}
}

// flushLate writes lines queued since the last swap and switches to writing
// through. It writes under the lock, so that no line written through can
// overtake a queued one.
func (w *Writer) flushLate() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		_, _ = w.out.Write(w.buf)
	}
	w.buf, w.closed = nil, true
}
