package queue

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"syscall"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// Which failures a job retries: transient ones, wrapped however deep (a
// runtime error keeps its builtin's cause); everything else ends the job.
func TestTransient(t *testing.T) {
	at := func(err error) error {
		return &runtime.Error{Pos: lang.Pos{File: "t.bas", Line: 1, Col: 1}, Msg: "x", Err: err}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"graph rate limit", at(&delivery.GraphError{Code: 130429, Transient: true}), true},
		{"graph expired token", at(&delivery.GraphError{Code: 190}), false},
		{"transient delivery error", at(&delivery.TransientError{Service: "smtp", Err: errors.New("421")}), true},
		{"network error", at(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{"job deadline", at(runtime.ErrDeadline), true},
		{"context deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), true},
		{"outbox disk full", at(&fs.PathError{Op: "write", Path: "outbox/x", Err: syscall.ENOSPC}), true},
		{"outbox read-only", at(&fs.PathError{Op: "open", Path: "outbox/x", Err: syscall.EROFS}), true},
		{"outbox permission denied", at(&fs.PathError{Op: "open", Path: "outbox/x", Err: syscall.EACCES}), false},
		{"script error", at(nil), false},
		{"step budget", at(runtime.ErrStepBudget), false},
		{"plain error", errors.New("no"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transient(tt.err); got != tt.want {
				t.Errorf("transient(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
