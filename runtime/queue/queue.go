// Package queue is gbhook's one job queue: River over SQLite (embedded, the
// default, at <data>/gbhook.db) or PostgreSQL (several replicas). It stores a
// handler's SPAWNed jobs and its delivery's dedupe keys in one transaction
// before the server answers, runs each job's SUB on the current program with
// a fixed pool of workers, retries transient failures with backoff, keeps the
// dead letters (cancelled, discarded) with their errors, and prunes old keys.
// Its Scheduler runs ON SCHEDULE blocks as periodic jobs, once per tick
// across all the processes sharing the database.
package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/gbhook/gbhook/runtime"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Defaults for Config's zero fields.
const (
	DefaultWorkers     = 16
	DefaultMaxAttempts = 8
	DefaultJobTimeout  = time.Minute
	// DedupeTTL is how long a handled event is remembered: Meta retries for
	// up to 7 days.
	DedupeTTL = 7 * 24 * time.Hour
)

// Config opens a Queue. Zero fields take their defaults.
type Config struct {
	DataDir     string // SQLite at <DataDir>/gbhook.db when DatabaseURL is empty
	DatabaseURL string // postgres://… selects PostgreSQL
	Workers     int
	MaxAttempts int
	// JobTimeout is one attempt's deadline. A job still running after
	// JobTimeout plus a margin (its process died) is rescued and run again.
	JobTimeout time.Duration
	// Machine gives the program serving now; jobs run against it. Nil opens
	// the queue for administration only (gbhook jobs): no workers.
	Machine func() *runtime.Machine
	Logger  *slog.Logger
	// OnJob, when set, sees each attempt's outcome: "completed", "retried"
	// (a transient error with attempts left) or "failed" (cancelled, or
	// discarded after its last attempt), with the error if any.
	OnJob func(requestID, sub string, attempt int, outcome string, err error)
	// RetryBase is the first retry's delay, doubled per attempt (default 1s).
	RetryBase time.Duration
	Now       func() time.Time // for tests; default time.Now
}

// Queue implements runtime.Queue and runs the stored jobs.
type Queue struct {
	cfg    Config
	b      backend
	group  *committer
	log    *slog.Logger
	stopMu sync.Mutex
	closed sync.Once
	done   chan struct{} // closed by Stop: ends the pruner
}

var _ runtime.Queue = (*Queue)(nil)

// errDuplicate is returned by commit when every key was already stored.
var errDuplicate = fmt.Errorf("queue: %w", runtime.ErrDuplicate)

// discardLogger silences River's migrator, whose steps we do not log.
var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// errorsOnly passes River's errors (a database it cannot reach) to our log
// and drops its routine chatter.
type errorsOnly struct{ slog.Handler }

func (h errorsOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h errorsOnly) WithAttrs(a []slog.Attr) slog.Handler { return errorsOnly{h.Handler.WithAttrs(a)} }

func (h errorsOnly) WithGroup(n string) slog.Handler { return errorsOnly{h.Handler.WithGroup(n)} }

// Open opens (creating if needed) and migrates the database, and prepares
// the workers. Start runs them.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	q := &Queue{cfg: cfg, log: cfg.Logger, done: make(chan struct{})}
	var err error
	if cfg.DatabaseURL != "" {
		q.b, err = q.openPostgres(ctx)
	} else {
		q.b, err = q.openSQLite(ctx)
	}
	if err != nil {
		return nil, err
	}
	q.group = newCommitter(q.b, func() (int64, int64) {
		now := q.cfg.Now()
		return now.Unix(), now.Add(DedupeTTL).Unix()
	})
	return q, nil
}

func (q *Queue) openSQLite(ctx context.Context) (backend, error) {
	if q.cfg.DataDir == "" {
		return nil, errors.New("queue: no data directory for gbhook.db and no database URL")
	}
	path := filepath.Join(q.cfg.DataDir, "gbhook.db")
	driver, ops, err := openSQLite(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	// riversqlite stands in for LISTEN with a notification table it polls
	// every 50 ms: the insert of a job writes one in the same transaction,
	// so new jobs start without fast polling for them. Polling the jobs
	// every 50 ms as well cost 4% of a core at rest (River re-prepares the
	// query on each poll); every 200 ms catches soon what a notification
	// missed (River sends at most one per FetchCooldown).
	b, err := newBackend(ctx, q, driver, ops, 200*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return b, nil
}

func (q *Queue) openPostgres(ctx context.Context) (backend, error) {
	driver, ops, err := openPostgres(ctx, q.cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("opening the PostgreSQL database: %w", err)
	}
	b, err := newBackend(ctx, q, driver, ops, 200*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("opening the PostgreSQL database: %w", err)
	}
	return b, nil
}

// newBackend migrates, then makes the River client: with the worker pool when
// the queue runs jobs, insert-only for administration.
func newBackend[TDriver riverdriver.Driver[TTx], TTx any](ctx context.Context, q *Queue, driver TDriver, ops txOps[TTx], poll time.Duration) (backend, error) {
	b := &riverBackend[TDriver, TTx]{driver: driver, ops: ops}
	if err := b.migrate(ctx); err != nil {
		ops.close()
		return nil, err
	}
	rc := &river.Config{
		Logger:               slog.New(errorsOnly{q.log.With("component", "river").Handler()}),
		MaxAttempts:          q.cfg.MaxAttempts,
		JobTimeout:           q.cfg.JobTimeout,
		RescueStuckJobsAfter: q.cfg.JobTimeout + 15*time.Second,
		FetchCooldown:        20 * time.Millisecond,
		FetchPollInterval:    poll,
		// Completed jobs are kept a day for `gbhook jobs`; dead letters a month.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		CancelledJobRetentionPeriod: 30 * 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
	}
	if q.cfg.Machine != nil {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely[spawnArgs](workers, &worker{q: q}); err != nil {
			ops.close()
			return nil, err
		}
		if err := river.AddWorkerSafely[tickArgs](workers, &tickWorker{q: q}); err != nil {
			ops.close()
			return nil, err
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.cfg.Workers}}
	}
	client, err := river.NewClient[TTx](driver, rc)
	if err != nil {
		ops.close()
		return nil, err
	}
	b.client = client
	return b, nil
}

// Start runs the workers and the pruner until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if q.cfg.Machine == nil {
		return errors.New("queue: opened without a Machine; it cannot run jobs")
	}
	if err := q.b.start(ctx); err != nil {
		return err
	}
	go q.pruneLoop()
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends; then it
// cancels them (they stay in the database, to run again on the next start).
func (q *Queue) Stop(ctx context.Context) error {
	q.stopMu.Lock()
	defer q.stopMu.Unlock()
	select {
	case <-q.done:
		return nil
	default:
		close(q.done)
	}
	return q.b.stop(ctx)
}

// Close releases the database. Call it after Stop; calling it again does
// nothing.
func (q *Queue) Close() {
	q.closed.Do(func() {
		q.group.close()
		q.b.close()
	})
}

// Commit stores jobs and dedupe keys in one transaction (see runtime.Queue).
// It returns runtime.ErrDuplicate, storing nothing, when keys is not empty
// and every key was stored before (a concurrent redelivery won the race).
func (q *Queue) Commit(ctx context.Context, jobs []runtime.Job, keys []string) error {
	if len(jobs) == 0 && len(keys) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: argsOf(j)}
	}
	return q.group.commit(ctx, params, unique(keys))
}

// Handled reports whether every key is stored and unexpired.
func (q *Queue) Handled(ctx context.Context, keys []string) (bool, error) {
	keys = unique(keys)
	if len(keys) == 0 {
		return false, nil
	}
	args := []any{q.cfg.Now().Unix()}
	for _, k := range keys {
		args = append(args, k)
	}
	n, err := q.b.count(ctx, "SELECT count(*) FROM gbhook_dedupe WHERE expires_at > "+q.b.ph(1)+
		" AND key IN ("+placeholders(q.b, 2, len(keys))+")", args...)
	if err != nil {
		return false, err
	}
	return n == int64(len(keys)), nil
}

func unique(keys []string) []string {
	if len(keys) < 2 {
		return keys
	}
	s := slices.Clone(keys)
	slices.Sort(s)
	return slices.Compact(s)
}

// Prune deletes expired dedupe keys and says how many.
func (q *Queue) Prune(ctx context.Context) (int64, error) {
	return q.b.exec(ctx, "DELETE FROM gbhook_dedupe WHERE expires_at <= "+q.b.ph(1), q.cfg.Now().Unix())
}

// pruneLoop prunes at start and then hourly, until Stop.
func (q *Queue) pruneLoop() {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if n, err := q.Prune(ctx); err != nil {
			q.log.Warn("pruning expired dedupe keys", "err", err)
		} else if n > 0 {
			q.log.Info("pruned expired dedupe keys", "keys", n)
		}
		cancel()
		select {
		case <-q.done:
			return
		case <-t.C:
		}
	}
}
