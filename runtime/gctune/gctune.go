// Package gctune keeps garbage collection rare while the live heap is small.
//
// Go starts a collection when the heap has grown by GOGC percent of what the
// last one left live, and at least every 4 MB (times GOGC/100). A server
// whose live heap is a megabyte or two (its parsed program, the job queue's
// client, metrics) then collects every few hundred requests and marks all of
// it each time: in gbhook three times the GC work per request of a bare Go
// server. Start raises GOGC while the live heap is small and gives the
// default back once it is not, so a loaded or memory-hungry server peaks
// where it would have.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Config says which GOGC to use below and above a live heap size.
type Config struct {
	Small int    // GOGC while the live heap is under Threshold
	Large int    // GOGC from Threshold up (Go's default is 100)
	Limit uint64 // the Threshold, in bytes of live heap
}

// Default: GOGC 200 under 4 MiB of live heap (the collector's floor goes
// from 4 to 8 MB), 100 above, where a server under heavy load is (at 256
// connections gbhook's live heap is 5 to 10 MB): 8 MiB raised its peak RSS
// by 10 MB.
var Default = Config{Small: 200, Large: 100, Limit: 4 << 20}

// tuner re-applies its Config after each GC cycle, from a finalizer that
// re-arms itself: the runtime's one hook that runs after every cycle.
type tuner struct {
	cfg     Config
	current int
	stopped atomic.Bool
	sample  []metrics.Sample
	mu      sync.Mutex
}

type sentinel struct{ t *tuner }

// Start sets GOGC for the current heap and keeps it set after every cycle,
// until stop, which sets cfg.Large back.
func Start(cfg Config) (stop func()) {
	t := &tuner{cfg: cfg, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.tune()
	t.arm()
	return func() {
		t.stopped.Store(true)
		t.mu.Lock()
		defer t.mu.Unlock()
		t.set(cfg.Large)
	}
}

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{t}, func(s *sentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.tune()
		s.t.arm()
	})
}

// tune picks the GOGC for the live heap the last cycle found. Going back
// down waits until the heap is under half the limit, so that a heap near
// the limit does not switch at every cycle.
func (t *tuner) tune() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return // a Go without this metric: leave GOGC alone
	}
	live := t.sample[0].Value.Uint64()
	switch {
	case live >= t.cfg.Limit:
		t.set(t.cfg.Large)
	case live < t.cfg.Limit/2 || t.current == 0:
		t.set(t.cfg.Small)
	}
}

func (t *tuner) set(percent int) {
	if percent != t.current {
		debug.SetGCPercent(percent)
		t.current = percent
	}
}
