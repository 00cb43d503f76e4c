package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// backend is River over one database, whatever its transaction type. The
// two implementations differ only in how they open, begin and execute.
type backend interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	// commitGroup stores each commit's jobs and keys, all in one
	// transaction, and gives each commit's outcome: a commit whose keys were
	// all stored before is a duplicate and stores nothing.
	commitGroup(ctx context.Context, group []*commitReq, now, expires int64) []error
	// complete marks job done and inserts jobs in the same transaction.
	complete(ctx context.Context, job *rivertype.JobRow, jobs []river.InsertManyParams) error
	// insert inserts one job as River's periodic enqueuer does, honouring
	// its unique options; skipped: a duplicate was there.
	insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (skipped bool, err error)
	// periodic gives the client's periodic jobs (a client that runs jobs).
	periodic() *river.PeriodicJobBundle
	count(ctx context.Context, q string, args ...any) (int64, error)
	exec(ctx context.Context, q string, args ...any) (int64, error)
	ph(i int) string // the i-th (1-based) placeholder
	list(ctx context.Context, p *river.JobListParams) (*river.JobListResult, error)
	get(ctx context.Context, id int64) (*rivertype.JobRow, error)
	retry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	cancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	close()
}

// dedupeTable holds the handled events of signed deliveries (see Commit).
const dedupeTable = `CREATE TABLE IF NOT EXISTS gbhook_dedupe (
	key TEXT PRIMARY KEY,
	expires_at BIGINT NOT NULL
)`

const dedupeIndex = `CREATE INDEX IF NOT EXISTS gbhook_dedupe_expires ON gbhook_dedupe (expires_at)`

// txOps are the few operations that depend on the transaction type.
type txOps[TTx any] struct {
	begin    func(ctx context.Context) (TTx, error)
	commit   func(ctx context.Context, tx TTx) error
	rollback func(ctx context.Context, tx TTx) error
	exec     func(ctx context.Context, tx TTx, q string, args ...any) (int64, error)
	execDB   func(ctx context.Context, q string, args ...any) (int64, error)
	count    func(ctx context.Context, q string, args ...any) (int64, error)
	ph       func(i int) string
	// lock makes concurrent migrators (replicas starting together) take
	// turns; it returns the unlock.
	lock  func(ctx context.Context) (func(), error)
	close func()
	// lost reports an error that says the connection died (the database
	// restarted, say), with nothing committed; reset then drops the pool's
	// other connections, which died with it. Nil for SQLite.
	lost  func(err error) bool
	reset func()
}

type riverBackend[TDriver riverdriver.Driver[TTx], TTx any] struct {
	driver TDriver
	client *river.Client[TTx]
	ops    txOps[TTx]
}

// migrate brings River's tables and ours up to date. (River's PostgreSQL
// migrations cannot share one transaction: one adds an enum value that a
// later one uses.)
func (b *riverBackend[TDriver, TTx]) migrate(ctx context.Context) error {
	m, err := rivermigrate.New[TTx](b.driver, &rivermigrate.Config{Logger: discardLogger})
	if err != nil {
		return err
	}
	unlock, err := b.ops.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating River's tables: %w", err)
	}
	for _, q := range []string{dedupeTable, dedupeIndex} {
		if _, err := b.ops.execDB(ctx, q); err != nil {
			return fmt.Errorf("creating gbhook_dedupe: %w", err)
		}
	}
	return nil
}

// inTx runs fn in one transaction. When the connection turns out dead before
// the commit (the database came back from a restart), nothing was stored, so
// it starts over once on fresh connections: the next delivery after an outage
// succeeds instead of meeting a stale connection.
func (b *riverBackend[TDriver, TTx]) inTx(ctx context.Context, fn func(tx TTx) error) error {
	err, committing := b.tryTx(ctx, fn)
	if err != nil && !committing && b.ops.lost != nil && b.ops.lost(err) && ctx.Err() == nil {
		b.ops.reset()
		err, _ = b.tryTx(ctx, fn)
	}
	return err
}

// tryTx is one attempt of inTx; committing says the error came from COMMIT,
// whose outcome is unknown, so it must not be retried.
func (b *riverBackend[TDriver, TTx]) tryTx(ctx context.Context, fn func(tx TTx) error) (err error, committing bool) {
	tx, err := b.ops.begin(ctx)
	if err != nil {
		return err, false
	}
	if err := fn(tx); err != nil {
		_ = b.ops.rollback(context.WithoutCancel(ctx), tx)
		return err, false
	}
	return b.ops.commit(ctx, tx), true
}

func (b *riverBackend[TDriver, TTx]) start(ctx context.Context) error { return b.client.Start(ctx) }

func (b *riverBackend[TDriver, TTx]) stop(ctx context.Context) error {
	err := b.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		// Past the deadline: cancel what still runs; it stays in the
		// database, retried by the next process.
		cctx, cancel := context.WithTimeout(context.Background(), 5e9)
		defer cancel()
		_ = b.client.StopAndCancel(cctx)
	}
	return err
}

func (b *riverBackend[TDriver, TTx]) commitGroup(ctx context.Context, group []*commitReq, now, expires int64) []error {
	errs := make([]error, len(group))
	err := b.inTx(ctx, func(tx TTx) error {
		var jobs []river.InsertManyParams
		for i, r := range group {
			if len(r.keys) > 0 {
				if errs[i] = b.storeKeys(ctx, tx, r.keys, now, expires); errs[i] != nil {
					if !errors.Is(errs[i], errDuplicate) {
						return errs[i]
					}
					continue
				}
			}
			jobs = append(jobs, r.jobs...)
		}
		if len(jobs) == 0 {
			return nil
		}
		_, err := b.client.InsertManyFastTx(ctx, tx, jobs)
		return err
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// storeKeys stores one webhook's dedupe keys. When every one was stored
// before, nothing was written (no insert, no refresh) and it returns
// errDuplicate: the other webhooks of the group are untouched.
func (b *riverBackend[TDriver, TTx]) storeKeys(ctx context.Context, tx TTx, keys []string, now, expires int64) error {
	q := "INSERT INTO gbhook_dedupe (key, expires_at) VALUES (" + b.ops.ph(1) + ", " + b.ops.ph(2) +
		") ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE gbhook_dedupe.expires_at <= " + b.ops.ph(3)
	var added int64
	for _, k := range keys {
		n, err := b.ops.exec(ctx, tx, q, k, expires, now)
		if err != nil {
			return fmt.Errorf("storing dedupe keys: %w", err)
		}
		added += n
	}
	if added == 0 {
		return errDuplicate
	}
	return nil
}

func (b *riverBackend[TDriver, TTx]) complete(ctx context.Context, job *rivertype.JobRow, jobs []river.InsertManyParams) error {
	return b.inTx(ctx, func(tx TTx) error {
		if _, err := b.client.InsertManyFastTx(ctx, tx, jobs); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[TDriver](ctx, tx, &river.Job[anyArgs]{JobRow: job})
		return err
	})
}

func (b *riverBackend[TDriver, TTx]) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	res, err := b.client.Insert(ctx, args, opts)
	if err != nil {
		return false, err
	}
	return res.UniqueSkippedAsDuplicate, nil
}

// anyArgs lets complete serve every job kind: JobCompleteTx only needs the
// row, and decodes nothing into it.
type anyArgs struct{}

func (anyArgs) Kind() string { return "" }

func (*anyArgs) UnmarshalJSON([]byte) error { return nil }

func (b *riverBackend[TDriver, TTx]) periodic() *river.PeriodicJobBundle {
	return b.client.PeriodicJobs()
}

func (b *riverBackend[TDriver, TTx]) count(ctx context.Context, q string, args ...any) (int64, error) {
	return b.ops.count(ctx, q, args...)
}

func (b *riverBackend[TDriver, TTx]) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return b.ops.execDB(ctx, q, args...)
}

func (b *riverBackend[TDriver, TTx]) ph(i int) string { return b.ops.ph(i) }

func (b *riverBackend[TDriver, TTx]) list(ctx context.Context, p *river.JobListParams) (*river.JobListResult, error) {
	return b.client.JobList(ctx, p)
}

func (b *riverBackend[TDriver, TTx]) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return b.client.JobGet(ctx, id)
}

func (b *riverBackend[TDriver, TTx]) retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return b.client.JobRetry(ctx, id)
}

func (b *riverBackend[TDriver, TTx]) cancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return b.client.JobCancel(ctx, id)
}

func (b *riverBackend[TDriver, TTx]) close() { b.ops.close() }

// sqliteDSN opens path with WAL, a busy timeout and immediate transactions
// (so that two processes on one file wait instead of failing on upgrade).
// synchronous=FULL: a 2xx promises the jobs survive a power cut too.
// The path is a URI path: escaped, so that "#", "?" or "%" in a directory
// name cannot cut it short.
func sqliteDSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(FULL)&_txlock=immediate"
}

func openSQLite(path string) (*riversqlite.Driver, txOps[*sql.Tx], error) {
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, txOps[*sql.Tx]{}, err
	}
	db.SetMaxOpenConns(1) // the driver's advice: SQLite has one writer anyway
	ops := txOps[*sql.Tx]{
		begin:    func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) },
		commit:   func(_ context.Context, tx *sql.Tx) error { return tx.Commit() },
		rollback: func(_ context.Context, tx *sql.Tx) error { return tx.Rollback() },
		exec: func(ctx context.Context, tx *sql.Tx, q string, args ...any) (int64, error) {
			return rowsAffected(tx.ExecContext(ctx, q, args...))
		},
		execDB: func(ctx context.Context, q string, args ...any) (int64, error) {
			return rowsAffected(db.ExecContext(ctx, q, args...))
		},
		count: func(ctx context.Context, q string, args ...any) (n int64, err error) {
			err = db.QueryRowContext(ctx, q, args...).Scan(&n)
			return n, err
		},
		ph:    func(int) string { return "?" },
		lock:  func(context.Context) (func(), error) { return func() {}, nil },
		close: func() { _ = db.Close() },
	}
	return riversqlite.New(db), ops, nil
}

// connLost reports a PostgreSQL error that means the connection is gone
// rather than that the statement failed.
func connLost(err error) bool {
	var ne net.Error
	return pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &ne) || strings.Contains(err.Error(), "conn closed")
}

func rowsAffected(r sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func openPostgres(ctx context.Context, url string) (*riverpgxv5.Driver, txOps[pgx.Tx], error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can quote the URL, password included.
		return nil, txOps[pgx.Tx]{}, errors.New("--database-url is not a valid PostgreSQL URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, txOps[pgx.Tx]{}, err
	}
	ops := txOps[pgx.Tx]{
		lost:     connLost,
		reset:    pool.Reset,
		begin:    func(ctx context.Context) (pgx.Tx, error) { return pool.Begin(ctx) },
		commit:   func(ctx context.Context, tx pgx.Tx) error { return tx.Commit(ctx) },
		rollback: func(ctx context.Context, tx pgx.Tx) error { return tx.Rollback(ctx) },
		exec: func(ctx context.Context, tx pgx.Tx, q string, args ...any) (int64, error) {
			tag, err := tx.Exec(ctx, q, args...)
			return tag.RowsAffected(), err
		},
		execDB: func(ctx context.Context, q string, args ...any) (int64, error) {
			tag, err := pool.Exec(ctx, q, args...)
			return tag.RowsAffected(), err
		},
		count: func(ctx context.Context, q string, args ...any) (n int64, err error) {
			err = pool.QueryRow(ctx, q, args...).Scan(&n)
			return n, err
		},
		ph:    func(i int) string { return fmt.Sprintf("$%d", i) },
		lock:  func(ctx context.Context) (func(), error) { return advisoryLock(ctx, pool) },
		close: pool.Close,
	}
	return riverpgxv5.New(pool), ops, nil
}

// placeholders gives n placeholders from the first, comma-separated.
func placeholders(b backend, from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = b.ph(from + i)
	}
	return strings.Join(p, ", ")
}

// migrationLock is gbhook's advisory lock key for migrations.
const migrationLock = 7363291004

// advisoryLock holds PostgreSQL's session lock on one connection while the
// migrations run on others.
func advisoryLock(ctx context.Context, pool *pgxpool.Pool) (func(), error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		conn.Release()
		return nil, err
	}
	return func() {
		_, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLock)
		conn.Release()
	}, nil
}
