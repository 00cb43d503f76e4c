package queue

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

const everySecond = `ON SCHEDULE "@every 1s" DO
  RUNNOTE "tick"
  SPAWN SECOND 1
END ON
SUB SECOND(N)
  RUNNOTE "second"
END SUB
`

// scheduler gives w's scheduler, told w's current schedules.
func (w *world) scheduler(t *testing.T) *Scheduler {
	t.Helper()
	sc, err := w.q.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	sc.Update(w.m.Load().Schedules())
	return sc
}

// waitNotes polls until n notes match re, failing after timeout.
func (w *world) waitNotes(t *testing.T, re string, n int, timeout time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		var got []string
		for _, s := range w.gotNotes() {
			if rx.MatchString(s) {
				got = append(got, s)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d notes matching %s after %v, want %d; all: %q", len(got), re, timeout, n, w.gotNotes())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tickJobs lists the schedule ticks in the database.
func tickJobs(t *testing.T, q *Queue) []*rivertype.JobRow {
	t.Helper()
	res, err := q.b.list(context.Background(), river.NewJobListParams().Kinds(tickKind).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	return res.Jobs
}

// A schedule ticks about once a second as a periodic job; each tick runs
// with its own request id (the tick's time), and what it SPAWNs runs too,
// under that id.
func TestScheduleTicksAsPeriodicJobs(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		w := newWorld(t, cfg, everySecond)
		w.scheduler(t)
		start := time.Now()
		ticks := w.waitNotes(t, "^tick ", 3, 30*time.Second)
		if d := time.Since(start); d < 1800*time.Millisecond {
			t.Errorf("3 ticks of @every 1s within %v", d)
		}
		for _, n := range ticks {
			if !regexp.MustCompile(`^tick schedule-t\.bas:1-\d{8}T\d{6}Z$`).MatchString(n) {
				t.Errorf("tick note %q", n)
			}
		}
		second := w.waitNotes(t, "^second ", 1, 30*time.Second)
		if id := strings.TrimPrefix(second[0], "second "); !strings.Contains(strings.Join(ticks, " "), id) {
			t.Errorf("the SPAWNed SUB ran as %q, no tick's id (%q)", id, ticks)
		}
	})
}

// The same tick enqueued twice (two leaders for a moment) is stored once.
func TestTickIsUniqueByScheduleAndTime(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		w := newWorld(t, cfg, "ON SCHEDULE \"@every 1h\" DO\n  RUNNOTE \"tick\"\nEND ON\n")
		s := w.m.Load().Schedules()[0]
		tick := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		for i, at := range []time.Time{tick, tick, tick.In(time.FixedZone("X", 3600)), tick.Add(time.Hour)} {
			ts, err := newTickSchedule(s)
			if err != nil {
				t.Fatal(err)
			}
			ts.next = at
			args, opts := ts.construct()
			skipped, err := w.q.b.insert(context.Background(), args, opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := i == 1 || i == 2; skipped != want {
				t.Errorf("insert %d of %v: skipped %v, want %v", i, at, skipped, want)
			}
		}
		w.waitNotes(t, "^tick ", 2, 30*time.Second)
		time.Sleep(500 * time.Millisecond)
		got := map[string]int{}
		for _, n := range w.gotNotes() {
			got[n]++
		}
		want := map[string]int{"tick schedule-t.bas:1-20261201T100000Z": 1, "tick schedule-t.bas:1-20261201T110000Z": 1}
		if len(got) != len(want) || got["tick schedule-t.bas:1-20261201T100000Z"] != 1 || got["tick schedule-t.bas:1-20261201T110000Z"] != 1 {
			t.Errorf("ran %v, want %v", got, want)
		}
		if n := len(tickJobs(t, w.q)); n != 2 {
			t.Errorf("%d tick jobs stored, want 2", n)
		}
	})
}

// A reload that changes the expression takes effect without a restart; a
// tick queued for a schedule that a reload then removed is skipped
// (cancelled, with why); a removed schedule stops.
func TestSchedulerFollowsReloads(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		w := newWorld(t, cfg, "ON SCHEDULE \"@every 1h\" DO\n  RUNNOTE \"tick\"\nEND ON\n")
		sc := w.scheduler(t)
		time.Sleep(2500 * time.Millisecond)
		if n := len(w.gotNotes()); n != 0 {
			t.Fatalf("@every 1h ticked %d times", n)
		}
		w.load(t, "ON SCHEDULE \"@every 1s\" DO\n  RUNNOTE \"tick\"\nEND ON\n")
		sc.Update(w.m.Load().Schedules())
		w.waitNotes(t, "^tick ", 2, 30*time.Second)
		sc.Update(w.m.Load().Schedules()) // unchanged: kept
		sc.mu.Lock()
		kept := len(sc.running)
		sc.mu.Unlock()
		if kept != 1 {
			t.Errorf("%d schedules after an unchanged update, want 1", kept)
		}

		// The program loses the schedule before the scheduler hears of it:
		// the ticks still queued are skipped.
		w.load(t, "SUB SECOND(N)\nEND SUB\n")
		deadline := time.Now().Add(30 * time.Second)
		var skipped *rivertype.JobRow
		for skipped == nil && time.Now().Before(deadline) {
			for _, j := range tickJobs(t, w.q) {
				if j.State == rivertype.JobStateCancelled {
					skipped = j
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if skipped == nil {
			t.Fatal("no tick of the removed schedule was skipped")
		}
		if msg := skipped.Errors[len(skipped.Errors)-1].Error; msg != `JobCancelError: no ON SCHEDULE "@every 1s" at t.bas:1 any more` {
			t.Errorf("skipped tick's error %q", msg)
		}
		sc.Update(w.m.Load().Schedules())
		time.Sleep(1500 * time.Millisecond) // a tick enqueued meanwhile may still land
		before := len(tickJobs(t, w.q))
		time.Sleep(3 * time.Second)
		if after := len(tickJobs(t, w.q)); after != before {
			t.Errorf("a removed schedule enqueued %d more ticks", after-before)
		}
	})
}

// A failed tick is not retried; its error keeps the BASIC line.
func TestFailedTickKeepsItsLine(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		w := newWorld(t, cfg, "ON SCHEDULE \"@every 1s\" DO\n  MISHAP \"transient\"\nEND ON\n")
		w.scheduler(t)
		deadline := time.Now().Add(30 * time.Second)
		for {
			jobs := tickJobs(t, w.q)
			if len(jobs) > 0 && jobs[0].FinalizedAt != nil {
				j := jobs[0]
				if j.State != rivertype.JobStateCancelled || j.Attempt != 1 || len(j.Errors) != 1 ||
					j.Errors[0].Error != "JobCancelError: t.bas:2:3: graph said slow down (transient)" {
					t.Errorf("failed tick: state %s, attempt %d, errors %+v", j.State, j.Attempt, j.Errors)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no tick finished in 30s: %+v", jobs)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// Two processes on one PostgreSQL: only the leader enqueues, so each tick
// runs once between them, about once a second.
func TestTwoQueuesRunEachTickOnce(t *testing.T) {
	cfg := Config{DatabaseURL: queuetest.Database(t)}
	w1 := newWorld(t, cfg, everySecond)
	w2 := newWorld(t, cfg, everySecond)
	w1.scheduler(t)
	w2.scheduler(t)
	// Wait for the first tick, then count over a window.
	deadline := time.Now().Add(30 * time.Second)
	for len(w1.gotNotes())+len(w2.gotNotes()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	const window = 8 * time.Second
	time.Sleep(window)
	runs := map[string]int{}
	for _, n := range append(w1.gotNotes(), w2.gotNotes()...) {
		if strings.HasPrefix(n, "tick ") {
			runs[n]++
		}
	}
	for id, n := range runs {
		if n > 1 {
			t.Errorf("%s ran %d times", id, n)
		}
	}
	if len(runs) < 5 || len(runs) > 12 {
		t.Errorf("%d ticks in about %v, want about one a second", len(runs), window)
	}
	t.Logf("%d distinct ticks in ~%v over two queues", len(runs), window)
}
