package queue

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/history"
)

// worker runs a stored job's SUB on the current program.
type worker struct {
	river.WorkerDefaults[spawnArgs]
	q *Queue
}

// Work runs one attempt. Transient failures return their error (River retries
// them with NextRetry's delay, and discards the job after its last attempt);
// anything else cancels the job at once. The jobs the SUB SPAWNed are stored
// in the transaction that marks this one completed.
func (w *worker) Work(ctx context.Context, job *river.Job[spawnArgs]) error {
	a := job.Args
	log := w.q.log.With("request_id", a.RequestID, "job_id", job.ID, "sub", a.Sub, "attempt", job.Attempt)
	m := w.q.cfg.Machine()
	if m == nil {
		return errors.New("no program loaded yet")
	}
	start := time.Now()
	log.Info("spawned SUB started", "max_attempts", job.MaxAttempts)
	// Deliveries made under this context join the request's history.
	jobs, err := m.RunSub(history.WithRequestID(ctx, a.RequestID), a.job())
	if err != nil {
		if transient(err) {
			outcome := "retried"
			if job.Attempt >= job.MaxAttempts {
				outcome = "failed"
				log.Error("spawned SUB failed on its last attempt; discarded", "err", err.Error(), "max_attempts", job.MaxAttempts)
			} else {
				log.Warn("spawned SUB failed; will retry", "err", err.Error(), "max_attempts", job.MaxAttempts)
			}
			w.q.onJob(a, job.Attempt, outcome, err)
			return err
		}
		log.Error("spawned SUB failed; cancelled", "err", err.Error())
		w.q.onJob(a, job.Attempt, "failed", err)
		return river.JobCancel(err)
	}
	if len(jobs) > 0 {
		params := make([]river.InsertManyParams, len(jobs))
		for i, j := range jobs {
			params[i] = river.InsertManyParams{Args: argsOf(j)}
		}
		if err := w.q.b.complete(ctx, job.JobRow, params); err != nil {
			log.Warn("storing the jobs a spawned SUB SPAWNed failed; will retry", "err", err.Error())
			return err
		}
	}
	log.Info("spawned SUB done", "spawned", len(jobs), "took", time.Since(start).Round(time.Millisecond).String())
	w.q.onJob(a, job.Attempt, "completed", nil)
	return nil
}

func (q *Queue) onJob(a spawnArgs, attempt int, outcome string, err error) {
	if q.cfg.OnJob != nil {
		q.cfg.OnJob(a.RequestID, a.Sub, attempt, outcome, err)
	}
}

// NextRetry backs off exponentially from RetryBase, with ±25% jitter so that a
// burst of failures does not come back as a burst, capped at an hour.
func (w *worker) NextRetry(job *river.Job[spawnArgs]) time.Time {
	d := w.q.cfg.RetryBase << min(max(job.Attempt-1, 0), 20)
	d = min(d, time.Hour)
	d += time.Duration((rand.Float64() - 0.5) * 0.5 * float64(d))
	return time.Now().Add(d)
}

// Timeout is one attempt's deadline.
func (w *worker) Timeout(*river.Job[spawnArgs]) time.Duration { return w.q.cfg.JobTimeout }

// transient reports whether a failed attempt is worth another: a delivery
// error classified transient (SMTP 4xx included), a network error, a
// timeout, a busy database, or an outbox on a full or read-only disk.
// Anything else (the script's own errors, permanent delivery errors) is not.
func transient(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	var to interface{ Timeout() bool }
	var se *sqlite.Error
	switch {
	case delivery.IsTransient(err),
		errors.Is(err, runtime.ErrDeadline), errors.Is(err, context.DeadlineExceeded),
		// Not net.Error: every syscall.Errno satisfies it (EACCES too).
		errors.As(err, &oe), errors.As(err, &de), errors.As(err, &to) && to.Timeout(),
		errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EDQUOT):
		return true
	case errors.As(err, &se):
		c := se.Code() & 0xff // primary result code
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}
