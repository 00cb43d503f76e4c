package nativeserver

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery"
)

// Job is one WhatsApp message to answer after the response.
type Job struct{ RequestID, From, Body, ID string }

// Runner answers one job.
type Runner func(ctx context.Context, job Job) error

// JobStore keeps jobs until a worker has run them. The in-memory store is
// the one gbhook has without a database; a durable one plugs in here.
type JobStore interface {
	Enqueue(ctx context.Context, jobs []Job) error
	Drain(ctx context.Context) error
}

// Memory runs each job on its own goroutine, at most 8 at a time, retrying
// transient delivery errors: the policy of gbhook's in-process queue.
type Memory struct {
	run     Runner
	log     *slog.Logger
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	closed  bool
	retries int
	backoff time.Duration
}

// NewMemory is the in-memory JobStore.
func NewMemory(run Runner, log *slog.Logger) JobStore {
	return &Memory{run: run, log: log, sem: make(chan struct{}, 8), retries: 3, backoff: 500 * time.Millisecond}
}

var errClosed = errors.New("job store is shutting down")

// Enqueue starts the jobs without waiting for them.
func (q *Memory) Enqueue(_ context.Context, jobs []Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errClosed
	}
	for _, j := range jobs {
		q.wg.Add(1)
		go q.work(j)
	}
	return nil
}

func (q *Memory) work(j Job) {
	defer q.wg.Done()
	q.sem <- struct{}{}
	defer func() { <-q.sem }()
	delay := q.backoff
	for attempt := 1; ; attempt++ {
		start := time.Now()
		q.log.Info("spawned SUB started", "request_id", j.RequestID, "job_id", 0, "sub", "PROCESS WHATSAPP MESSAGE",
			"attempt", attempt, "max_attempts", 8)
		err := q.attempt(j)
		if err == nil {
			// The line gbhook's queue logs (runtime/queue); no job ids here.
			q.log.Info("spawned SUB done", "request_id", j.RequestID, "job_id", 0, "sub", "PROCESS WHATSAPP MESSAGE",
				"attempt", attempt, "spawned", 0, "took", time.Since(start).Round(time.Millisecond).String())
			return
		}
		if !delivery.IsTransient(err) || attempt > q.retries {
			q.log.Error("spawned SUB failed", "request_id", j.RequestID, "sub", "PROCESS WHATSAPP MESSAGE",
				"error", err.Error(), "attempt", attempt, "transient", delivery.IsTransient(err))
			return
		}
		time.Sleep(delay)
		delay *= 2
	}
}

// attempt runs one try under its own deadline; a panic fails the job, not
// the server.
func (q *Memory) attempt(j Job) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic in job")
		}
	}()
	return q.run(ctx, j)
}

// Drain stops accepting jobs and waits for the running ones, or for ctx.
func (q *Memory) Drain(ctx context.Context) error {
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
