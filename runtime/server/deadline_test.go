package server

import (
	"context"
	"errors"
	"github.com/gbhook/gbhook/runtime/history"
	"testing"
	"time"
)

type ctxKey struct{}

// waitDone waits for ctx.Done with a generous bound (the machine is shared).
func waitDone(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done never closed")
	}
}

// The lazy deadline behaves as context.WithDeadline: Err by the clock before
// anyone waits, Done closing at the deadline once asked, the parent's
// cancellation and values, the earlier of two deadlines, cancel.
func TestDeadlineCtxBehavesAsWithDeadline(t *testing.T) {
	past, future := time.Now().Add(-time.Second), time.Now().Add(time.Hour)
	tests := []struct {
		name string
		run  func(t *testing.T) error // the Err to compare
		want error
	}{
		{"before the deadline", func(t *testing.T) error {
			c := withDeadline(context.Background(), future)
			defer c.cancel()
			return c.Err()
		}, nil},
		{"past the deadline, nobody waiting", func(t *testing.T) error {
			c := withDeadline(context.Background(), past)
			defer c.cancel()
			return c.Err()
		}, context.DeadlineExceeded},
		{"done closes at the deadline", func(t *testing.T) error {
			c := withDeadline(context.Background(), time.Now().Add(20*time.Millisecond))
			defer c.cancel()
			waitDone(t, c)
			return c.Err()
		}, context.DeadlineExceeded},
		{"parent cancelled, nobody waiting", func(t *testing.T) error {
			p, stop := context.WithCancel(context.Background())
			c := withDeadline(p, future)
			defer c.cancel()
			stop()
			return c.Err()
		}, context.Canceled},
		{"parent cancelled while waiting", func(t *testing.T) error {
			p, stop := context.WithCancel(context.Background())
			c := withDeadline(p, future)
			defer c.cancel()
			done := c.Done()
			stop()
			<-done
			return c.Err()
		}, context.Canceled},
		{"cancel before anyone waited", func(t *testing.T) error {
			c := withDeadline(context.Background(), future)
			c.cancel()
			waitDone(t, c)
			return c.Err()
		}, context.Canceled},
		{"cancel after waiting", func(t *testing.T) error {
			c := withDeadline(context.Background(), future)
			_ = c.Done()
			c.cancel()
			waitDone(t, c)
			return c.Err()
		}, context.Canceled},
		{"cancel past the deadline keeps DeadlineExceeded", func(t *testing.T) error {
			c := withDeadline(context.Background(), past)
			c.cancel()
			return c.Err()
		}, context.DeadlineExceeded},
		{"a derived context ends at the deadline", func(t *testing.T) error {
			c := withDeadline(context.Background(), time.Now().Add(20*time.Millisecond))
			defer c.cancel()
			d, stop := context.WithCancel(c)
			defer stop()
			waitDone(t, d)
			return d.Err()
		}, context.DeadlineExceeded},
		{"a derived context ends with cancel", func(t *testing.T) error {
			c := withDeadline(context.Background(), future)
			d, stop := context.WithCancel(c)
			defer stop()
			c.cancel()
			waitDone(t, d)
			return d.Err()
		}, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(t); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("Err() = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDeadlineCtxDeadlineAndValues(t *testing.T) {
	soon, later := time.Now().Add(time.Minute), time.Now().Add(time.Hour)
	p, stop := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), soon)
	defer stop()
	for _, tc := range []struct {
		name   string
		d      time.Time
		want   time.Time
		waited bool
	}{
		{"parent's earlier deadline", later, soon, false},
		{"own earlier deadline", soon.Add(-time.Second), soon.Add(-time.Second), false},
		{"own earlier deadline, waited on", soon.Add(-time.Second), soon.Add(-time.Second), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := withDeadline(p, tc.d)
			defer c.cancel()
			if tc.waited {
				_ = c.Done()
			}
			if d, ok := c.Deadline(); !ok || !d.Equal(tc.want) {
				t.Errorf("Deadline() = %v, %v; want %v", d, ok, tc.want)
			}
			if v := c.Value(ctxKey{}); v != "v" {
				t.Errorf("Value = %v, want the parent's v", v)
			}
		})
	}
}

// A request's deadline answers history's request id key itself, in place of
// a history.WithRequestID context: directly, through contexts derived from
// it, and once a timer stands behind it; the parent's id otherwise.
func TestDeadlineCtxCarriesTheRequestID(t *testing.T) {
	parent := history.WithRequestID(context.Background(), "parent-id")
	for _, tc := range []struct {
		name, rid, want string
		waited          bool
	}{
		{"own id", "req-1", "req-1", false},
		{"own id, waited on", "req-1", "req-1", true},
		{"no id: the parent's", "", "parent-id", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := new(deadlineCtx)
			c.init(parent, time.Now().Add(time.Minute), tc.rid)
			defer c.cancel()
			if tc.waited {
				_ = c.Done()
			}
			derived, stop := context.WithTimeout(context.WithValue(c, ctxKey{}, "x"), time.Minute)
			defer stop()
			for _, ctx := range []context.Context{c, derived} {
				if got := history.RequestIDFrom(ctx); got != tc.want {
					t.Errorf("RequestIDFrom = %q, want %q", got, tc.want)
				}
			}
		})
	}
}
