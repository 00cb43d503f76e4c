package builtins

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// InProcess runs SPAWNed SUBs in this process after the response is sent.
// Jobs are not durable: they finish before shutdown completes (Drain), but a
// crash loses them. Transient delivery errors are retried with backoff.
type InProcess struct {
	run     func(ctx context.Context, job runtime.Job) error
	logger  *slog.Logger
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	closed  bool
	Retries int           // attempts after the first for transient errors
	Backoff time.Duration // first retry delay, doubled each time
	Timeout time.Duration // per attempt
}

// NewInProcess makes a queue that runs each job with run, at most 8 at a time.
func NewInProcess(run func(ctx context.Context, job runtime.Job) error, logger *slog.Logger) *InProcess {
	if logger == nil {
		logger = slog.Default()
	}
	return &InProcess{run: run, logger: logger, sem: make(chan struct{}, 8),
		Retries: 3, Backoff: 500 * time.Millisecond, Timeout: time.Minute}
}

// ErrClosed is returned by Enqueue once Drain has begun.
var ErrClosed = errors.New("spawn queue is shutting down")

// Enqueue starts the jobs. It never blocks on them.
func (q *InProcess) Enqueue(_ context.Context, jobs []runtime.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	for _, j := range jobs {
		q.wg.Add(1)
		go q.work(j)
	}
	return nil
}

func (q *InProcess) work(job runtime.Job) {
	defer q.wg.Done()
	q.sem <- struct{}{}
	defer func() { <-q.sem }()
	log := q.logger.With("request_id", job.RequestID, "sub", job.Sub)
	delay := q.Backoff
	for attempt := 0; ; attempt++ {
		err := q.attempt(job)
		if err == nil {
			log.Info("spawned SUB done", "attempt", attempt+1)
			return
		}
		if !delivery.IsTransient(err) || attempt >= q.Retries {
			log.Error("spawned SUB failed", "error", err.Error(), "attempt", attempt+1, "transient", delivery.IsTransient(err))
			return
		}
		log.Warn("spawned SUB failed; retrying", "error", err.Error(), "attempt", attempt+1, "in", delay.String())
		time.Sleep(delay)
		delay *= 2
	}
}

// attempt runs one try with its own deadline, recovering a panic so that one
// bad job cannot take the server down.
func (q *InProcess) attempt(job runtime.Job) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), q.Timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic in spawned SUB")
			q.logger.Error("panic in spawned SUB", "panic", r, "sub", job.Sub, "request_id", job.RequestID)
		}
	}()
	return q.run(ctx, job)
}

// Drain stops accepting jobs and waits for the running ones, or for ctx.
func (q *InProcess) Drain(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
