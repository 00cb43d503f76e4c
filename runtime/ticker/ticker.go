// Package ticker fires ON SCHEDULE blocks from timers in this process. It is
// the stand-in until schedules run as the durable queue's periodic jobs
// (unique per tick across replicas): with one process it fires each tick
// once; with several, each process fires it. Ticks missed while the process
// was down are not replayed.
package ticker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gbhook/gbhook/lang"
)

// Run runs one tick of the schedule with this key (lang.Schedule.Key). It is
// handed the key, not the schedule, so that a tick always runs the program
// loaded at that moment.
type Run func(ctx context.Context, key string, tick time.Time)

// Ticker implements runtime.Scheduler with one goroutine per schedule.
type Ticker struct {
	run    Run
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	running map[string]func() // by ident: stops that schedule's loop
	wg      sync.WaitGroup
}

// New makes a ticker that calls run on each tick until Stop.
func New(run Run, logger *slog.Logger) *Ticker {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Ticker{run: run, logger: logger, now: time.Now, ctx: ctx, cancel: cancel, running: map[string]func(){}}
}

// ident is a schedule's identity across reloads: where it is and when it runs.
func ident(s *lang.Schedule) string { return s.Key() + "\x00" + s.Cron }

// Update starts the schedules that are new, stops those that are gone or
// changed, and leaves the others running on their current timers.
func (t *Ticker) Update(schedules []*lang.Schedule) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ctx.Err() != nil {
		return
	}
	want := map[string]*lang.Schedule{}
	for _, s := range schedules {
		want[ident(s)] = s
	}
	for id, stop := range t.running {
		if want[id] == nil {
			stop()
			delete(t.running, id)
		}
	}
	for id, s := range want {
		if t.running[id] != nil {
			continue
		}
		ctx, cancel := context.WithCancel(t.ctx)
		t.running[id] = cancel
		t.wg.Add(1)
		go t.loop(ctx, s)
		t.logger.Info("schedule started", "schedule", s.String(), "next", s.Next(t.now()).Format(time.RFC3339))
	}
}

// loop waits for each tick and runs it; a tick that is still running when the
// next one is due delays it (ticks never overlap for one schedule).
func (t *Ticker) loop(ctx context.Context, s *lang.Schedule) {
	defer t.wg.Done()
	key := s.Key()
	for {
		next := s.Next(t.now())
		if next.IsZero() {
			return // an expression that never fires again
		}
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		t.run(ctx, key, next)
	}
}

// Stop ends every schedule and waits for running ticks to return.
func (t *Ticker) Stop() {
	t.mu.Lock()
	t.cancel()
	t.running = map[string]func(){}
	t.mu.Unlock()
	t.wg.Wait()
}
