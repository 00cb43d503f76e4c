package ticker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
)

func schedules(t *testing.T, src string) []*lang.Schedule {
	t.Helper()
	p, err := lang.CheckSources([]lang.Source{{Name: "a.bas", Text: []byte(src)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Schedules
}

type ticks struct {
	mu   sync.Mutex
	keys []string
}

func (r *ticks) run(_ context.Context, key string, _ time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, key)
}

func (r *ticks) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.keys)
}

// waitFor polls until the count reaches n or the timeout passes.
func (r *ticks) waitFor(n int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for r.count() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return r.count()
}

func TestTickerFiresEverySecond(t *testing.T) {
	rec := &ticks{}
	tk := New(rec.run, nil)
	defer tk.Stop()
	start := time.Now()
	tk.Update(schedules(t, "ON SCHEDULE \"@every 1s\" DO\nEND ON\n"))
	if n := rec.waitFor(3, 10*time.Second); n < 3 {
		t.Fatalf("%d ticks in 10s", n)
	}
	if d := time.Since(start); d < 1800*time.Millisecond { // @every rounds to whole seconds: the first tick may come early
		t.Errorf("3 ticks of @every 1s came after %v", d)
	}
	if rec.keys[0] != "a.bas:1" {
		t.Errorf("key %q", rec.keys[0])
	}
}

// A reload that changes the expression takes effect; one that removes the
// schedule stops it; Update with the same schedules leaves them running.
func TestTickerUpdate(t *testing.T) {
	rec := &ticks{}
	tk := New(rec.run, nil)
	defer tk.Stop()
	tk.Update(schedules(t, "ON SCHEDULE \"@every 1h\" DO\nEND ON\n"))
	time.Sleep(1500 * time.Millisecond)
	if n := rec.count(); n != 0 {
		t.Fatalf("@every 1h ticked %d times", n)
	}
	fast := schedules(t, "ON SCHEDULE \"@every 1s\" DO\nEND ON\n")
	tk.Update(fast)
	if n := rec.waitFor(1, 10*time.Second); n < 1 {
		t.Fatal("the edited expression never ticked")
	}
	tk.Update(schedules(t, "ON SCHEDULE \"@every 1s\" DO\n  X = 1\nEND ON\n")) // same key and expression: kept
	tk.mu.Lock()
	kept := len(tk.running)
	tk.mu.Unlock()
	if kept != 1 {
		t.Errorf("%d running after an unchanged reload", kept)
	}
	tk.Update(nil)
	time.Sleep(100 * time.Millisecond) // a tick already under way may finish
	before := rec.count()
	time.Sleep(2500 * time.Millisecond)
	if after := rec.count(); after != before {
		t.Errorf("a removed schedule ticked %d more times", after-before)
	}
}
