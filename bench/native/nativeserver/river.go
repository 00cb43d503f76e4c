package nativeserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/gbhook/gbhook/runtime/delivery"
)

// The job store: River over SQLite at <DataDir>/native.db, written by hand
// the way a Go developer would, with gbhook's settings (runtime/queue): WAL,
// synchronous=FULL, one connection, 16 workers, 8 attempts with exponential
// backoff, a minute per attempt, permanent errors cancelled at once.
const (
	dbFile      = "native.db"
	workers     = 16
	maxAttempts = 8
	jobTimeout  = time.Minute
	retryBase   = time.Second
	// seenFor is how long an event is remembered: Meta retries for up
	// to 7 days.
	seenFor = 7 * 24 * time.Hour
	// sub names the job in the log lines, as gbhook names the SPAWNed SUB.
	sub = "PROCESS WHATSAPP MESSAGE"
)

// Job is one WhatsApp message to answer after the response: River's job
// arguments, stored as JSON.
type Job struct {
	RequestID string `json:"request_id"`
	From      string `json:"from"`
	Body      string `json:"body"`
	ID        string `json:"id"`
}

// Kind is the River job kind.
func (Job) Kind() string { return "whatsapp_reply" }

// pruneArgs is the hourly job that forgets expired events.
type pruneArgs struct{}

func (pruneArgs) Kind() string { return "whatsapp_events_prune" }

// whatsappEvents remembers the events (message and status ids) already
// handled, so that Meta's redelivery of a message stores no second job.
const whatsappEvents = `CREATE TABLE IF NOT EXISTS whatsapp_events (
	event TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
)`

// store is the River client and its database.
type store struct {
	db     *sql.DB
	client *river.Client[*sql.Tx]
}

// openStore opens (creating) and migrates the database and makes the client;
// start runs its workers, which call run for each job.
func openStore(ctx context.Context, dir string, run func(context.Context, Job) error, log *slog.Logger) (*store, error) {
	if dir == "" {
		return nil, errors.New("no data directory for " + dbFile)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, dbFile)
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	st, err := newStore(ctx, db, run, log)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return st, nil
}

func newStore(ctx context.Context, db *sql.DB, run func(context.Context, Job) error, log *slog.Logger) (*store, error) {
	driver := riversqlite.New(db)
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, whatsappEvents); err != nil {
		return nil, err
	}
	ws := river.NewWorkers()
	river.AddWorker(ws, &replyWorker{run: run, log: log})
	river.AddWorker(ws, &pruneWorker{db: db})
	client, err := river.NewClient(driver, &river.Config{
		Logger:               slog.New(errorsOnly{log.Handler()}),
		Workers:              ws,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		MaxAttempts:          maxAttempts,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: jobTimeout + 15*time.Second,
		// As gbhook's queue: riversqlite's notifications wake the workers;
		// the jobs themselves are polled every 200 ms.
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 200 * time.Millisecond,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return pruneArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})},
	})
	if err != nil {
		return nil, err
	}
	return &store{db: db, client: client}, nil
}

func (st *store) start() error { return st.client.Start(context.Background()) }

// seen reports whether every event is stored and unexpired: a redelivery.
func (st *store) seen(ctx context.Context, events []string) (bool, error) {
	events = slices.Compact(slices.Sorted(slices.Values(events)))
	args := []any{time.Now().Unix()}
	for _, ev := range events {
		args = append(args, ev)
	}
	var n int
	err := st.db.QueryRowContext(ctx, "SELECT count(*) FROM whatsapp_events WHERE expires_at > ? AND event IN (?"+
		strings.Repeat(", ?", len(events)-1)+")", args...).Scan(&n)
	return n == len(events), err
}

// enqueue stores the events of one delivery and its jobs in one
// transaction. When every event was stored before it stores nothing and
// says duplicate.
func (st *store) enqueue(ctx context.Context, events []string, jobs []Job) (duplicate bool, err error) {
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now()
	var added int64
	for _, ev := range events {
		res, err := tx.ExecContext(ctx, `INSERT INTO whatsapp_events (event, expires_at) VALUES (?, ?)
			ON CONFLICT (event) DO UPDATE SET expires_at = excluded.expires_at
			WHERE whatsapp_events.expires_at <= ?`, ev, now.Add(seenFor).Unix(), now.Unix())
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return false, err
		}
		added += n
	}
	if len(events) > 0 && added == 0 {
		return true, nil
	}
	for _, j := range jobs {
		if _, err := st.client.InsertTx(ctx, tx, j, nil); err != nil {
			return false, err
		}
	}
	return false, tx.Commit()
}

// pending counts the reply jobs not yet done.
func (st *store) pending(ctx context.Context) (int, error) {
	res, err := st.client.JobList(ctx, river.NewJobListParams().Kinds(Job{}.Kind()).First(10000).
		States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled))
	if err != nil {
		return 0, err
	}
	return len(res.Jobs), nil
}

// stop lets the running jobs finish until ctx ends, then cancels them (they
// stay stored and run again on the next start), and closes the database.
func (st *store) stop(ctx context.Context) error {
	err := st.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = st.client.StopAndCancel(cctx)
	}
	return errors.Join(err, st.db.Close())
}

// replyWorker runs a Job, logging the lines gbhook's queue logs.
type replyWorker struct {
	river.WorkerDefaults[Job]
	run func(context.Context, Job) error
	log *slog.Logger
}

// Work runs one attempt: a transient failure is returned for River to retry
// (discarded after the last attempt), any other cancels the job.
func (w *replyWorker) Work(ctx context.Context, job *river.Job[Job]) error {
	log := w.log.With("request_id", job.Args.RequestID, "job_id", job.ID, "sub", sub, "attempt", job.Attempt)
	start := time.Now()
	log.Info("spawned SUB started", "max_attempts", job.MaxAttempts)
	err := w.run(ctx, job.Args)
	switch {
	case err == nil:
		log.Info("spawned SUB done", "spawned", 0, "took", time.Since(start).Round(time.Millisecond).String())
		return nil
	case !transient(err):
		log.Error("spawned SUB failed; cancelled", "err", err.Error())
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		log.Error("spawned SUB failed on its last attempt; discarded", "err", err.Error(), "max_attempts", job.MaxAttempts)
	default:
		log.Warn("spawned SUB failed; will retry", "err", err.Error(), "max_attempts", job.MaxAttempts)
	}
	return err
}

// NextRetry doubles from a second, capped at an hour, with ±25% jitter.
func (w *replyWorker) NextRetry(job *river.Job[Job]) time.Time {
	d := min(retryBase<<min(max(job.Attempt-1, 0), 20), time.Hour)
	d += time.Duration((rand.Float64() - 0.5) * 0.5 * float64(d))
	return time.Now().Add(d)
}

// transient: a delivery error marked transient, a network error, a timeout,
// or a full or read-only disk under the outbox.
func transient(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	var to interface{ Timeout() bool }
	return delivery.IsTransient(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &to) && to.Timeout() ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT)
}

// pruneWorker forgets the events past their time.
type pruneWorker struct {
	river.WorkerDefaults[pruneArgs]
	db *sql.DB
}

func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[pruneArgs]) error {
	_, err := w.db.ExecContext(ctx, "DELETE FROM whatsapp_events WHERE expires_at <= ?", time.Now().Unix())
	return err
}

// errorsOnly passes River's errors to our log and drops its routine chatter.
type errorsOnly struct{ slog.Handler }

func (h errorsOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h errorsOnly) WithAttrs(a []slog.Attr) slog.Handler { return errorsOnly{h.Handler.WithAttrs(a)} }

func (h errorsOnly) WithGroup(n string) slog.Handler { return errorsOnly{h.Handler.WithGroup(n)} }
