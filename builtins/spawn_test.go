package builtins

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

func TestInProcessRetriesOnlyTransientErrors(t *testing.T) {
	timeout := &delivery.TransientError{Service: "whatsapp", Err: errors.New("timeout")}
	tests := []struct {
		name string
		errs []error // returned by successive attempts; nil ends
		want int32   // attempts made
	}{
		{"success first time", []error{nil}, 1},
		{"transient then success", []error{&delivery.GraphError{Code: 130429, Transient: true}, nil}, 2},
		{"permanent is not retried", []error{&delivery.GraphError{Code: 190}}, 1},
		{"plain error is not retried", []error{errors.New("boom")}, 1},
		{"transient gives up after retries", []error{timeout, timeout, timeout, timeout, timeout}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			q := NewInProcess(func(ctx context.Context, job runtime.Job) error {
				n := calls.Add(1)
				if job.Sub != "S" {
					t.Errorf("job %+v", job)
				}
				return tt.errs[min(int(n), len(tt.errs))-1]
			}, nil)
			q.Backoff = time.Millisecond
			if err := q.Enqueue(context.Background(), []runtime.Job{{Sub: "S"}}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := q.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if got := calls.Load(); got != tt.want {
				t.Errorf("attempts = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestInProcessRefusesAfterDrainAndSurvivesPanic(t *testing.T) {
	q := NewInProcess(func(context.Context, runtime.Job) error { panic("bad job") }, nil)
	if err := q.Enqueue(context.Background(), []runtime.Job{{Sub: "P"}}); err != nil {
		t.Fatal(err)
	}
	if err := q.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), []runtime.Job{{Sub: "P"}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Enqueue after Drain = %v, want ErrClosed", err)
	}
}
