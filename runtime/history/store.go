package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// Store keeps records and events. Implementations are safe for concurrent use.
type Store interface {
	// Write inserts records (setting their IDs) and events in one
	// transaction, then keeps at most maxCount records.
	Write(ctx context.Context, recs []*Record, evs []Event, maxCount int) error
	List(ctx context.Context, f Filter) ([]Summary, error)
	// Get is a record with its events joined in; ErrNotFound if absent.
	Get(ctx context.Context, id int64) (*Record, error)
	// Prune deletes records older than maxAge and beyond the newest maxCount,
	// and events of records no longer kept.
	Prune(ctx context.Context, maxCount int, maxAge time.Duration) error
	Count(ctx context.Context) (int, error)
	Close() error
}

// ErrNotFound is Get's answer for an unknown id.
var ErrNotFound = errors.New("no such request")

// dialect is what differs between SQL databases: placeholders and DDL
// (sqliteDialect here, postgresDialect in postgres.go).
type dialect struct {
	ph  func(n int) string
	ddl []string
}

var sqliteDialect = dialect{
	ph: func(int) string { return "?" },
	ddl: []string{
		`CREATE TABLE IF NOT EXISTS history_requests (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			time_ns INTEGER NOT NULL,
			request_id TEXT NOT NULL,
			method TEXT NOT NULL, path TEXT NOT NULL, route TEXT NOT NULL,
			status INTEGER NOT NULL, duration_ms REAL NOT NULL, error TEXT NOT NULL,
			replay_of INTEGER, duplicate INTEGER NOT NULL,
			detail TEXT NOT NULL)`,
		// No index on time_ns or request_id: the minute's prune scans a few
		// thousand rows, and every index would slow each insert.
		`CREATE TABLE IF NOT EXISTS history_events (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			request_id TEXT NOT NULL, time_ns INTEGER NOT NULL, data TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS history_events_rid ON history_events(request_id)`,
	},
}

// sqlStore is the Store over database/sql.
type sqlStore struct {
	db *sql.DB
	d  dialect
	// rows is about how many records are stored, so that a batch prunes by
	// count only when there may be too many (another process sharing the
	// database makes it low; the periodic Prune corrects that).
	rows atomic.Int64
}

func newSQLStore(ctx context.Context, db *sql.DB, d dialect) (*sqlStore, error) {
	if err := createTables(ctx, db, d); err != nil {
		return nil, fmt.Errorf("history: creating tables: %w", err)
	}
	s := &sqlStore{db: db, d: d}
	n, err := s.Count(ctx)
	if err != nil {
		return nil, err
	}
	s.rows.Store(int64(n))
	return s, nil
}

// createTables runs d's DDL in one transaction.
func createTables(ctx context.Context, db *sql.DB, d dialect) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for _, q := range d.ddl {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// q rewrites ? placeholders for the dialect.
func (s *sqlStore) q(query string) string {
	if s.d.ph(1) == "?" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString(s.d.ph(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// detail is the part of a record stored as one JSON column.
type detail struct {
	Steps       int          `json:"steps"`
	Request     *Message     `json:"request"`
	Response    *Message     `json:"response"`
	ErrorSource *SourceLines `json:"error_source,omitempty"`
	Logs        []Log        `json:"logs,omitempty"`
	Jobs        []Job        `json:"jobs,omitempty"`
	Deliveries  []Delivery   `json:"deliveries,omitempty"`
}

// eventData is an event's stored JSON.
type eventData struct {
	Log      *Log      `json:"log,omitempty"`
	Job      *Job      `json:"job,omitempty"`
	Delivery *Delivery `json:"delivery,omitempty"`
}

func (s *sqlStore) Write(ctx context.Context, recs []*Record, evs []Event, maxCount int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if err := s.insertRecords(ctx, tx, recs); err != nil {
		return err
	}
	if err := s.insertEvents(ctx, tx, evs); err != nil {
		return err
	}
	rows := s.rows.Load() + int64(len(recs))
	if maxCount > 0 && rows > int64(maxCount) {
		if err := s.pruneCount(ctx, tx, maxCount); err != nil {
			return err
		}
		rows = int64(maxCount)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.rows.Store(rows)
	return nil
}

func (s *sqlStore) insertRecords(ctx context.Context, tx *sql.Tx, recs []*Record) error {
	if len(recs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO history_requests
		(time_ns, request_id, method, path, route, status, duration_ms, error, replay_of, duplicate, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range recs {
		d, err := json.Marshal(detail{Steps: r.Steps, Request: r.Request, Response: r.Response,
			ErrorSource: r.ErrorSource, Logs: r.Logs, Jobs: r.Jobs, Deliveries: r.Deliveries})
		if err != nil {
			return err
		}
		var replayOf sql.NullInt64
		if r.ReplayOf != nil {
			replayOf = sql.NullInt64{Int64: *r.ReplayOf, Valid: true}
		}
		dup := 0
		if r.Duplicate {
			dup = 1
		}
		if err := st.QueryRowContext(ctx, r.Time.UnixNano(), r.RequestID, r.Method, r.Path, r.Route, r.Status,
			r.DurationMS, r.Error, replayOf, dup, string(d)).Scan(&r.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlStore) insertEvents(ctx context.Context, tx *sql.Tx, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO history_events (request_id, time_ns, data) VALUES (?, ?, ?)`))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, e := range evs {
		d, err := json.Marshal(eventData{Log: e.Log, Job: e.Job, Delivery: e.Delivery})
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, e.RequestID, e.Time.UnixNano(), string(d)); err != nil {
			return err
		}
	}
	return nil
}

// pruneCount keeps the newest maxCount records. Ids only grow, so the
// cutoff is the newest id less maxCount, one index lookup: "ORDER BY id DESC
// LIMIT 1 OFFSET maxCount" walked maxCount index entries for every batch
// written at the cap (3.5 ms of a one-CPU server's time each, a mark on
// p99). Where ids have gaps (a PostgreSQL sequence after a rollback), fewer
// than maxCount are kept, never more.
func (s *sqlStore) pruneCount(ctx context.Context, tx *sql.Tx, maxCount int) error {
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM history_requests WHERE id <=
		(SELECT MAX(id) FROM history_requests) - ?`), maxCount)
	return err
}

// eventGrace keeps events whose record is not written yet (the record of a
// request is written after its LOG lines).
const eventGrace = time.Minute

func (s *sqlStore) Prune(ctx context.Context, maxCount int, maxAge time.Duration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	now := time.Now()
	if maxAge > 0 {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM history_requests WHERE time_ns < ?`),
			now.Add(-maxAge).UnixNano()); err != nil {
			return err
		}
	}
	if maxCount > 0 {
		if err := s.pruneCount(ctx, tx, maxCount); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM history_events WHERE time_ns < ? AND request_id NOT IN
		(SELECT request_id FROM history_requests)`), now.Add(-eventGrace).UnixNano()); err != nil {
		return err
	}
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM history_requests`).Scan(&n); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.rows.Store(n)
	return nil
}

const summaryCols = `id, time_ns, method, path, route, status, duration_ms, error, replay_of, duplicate`

func (s *sqlStore) List(ctx context.Context, f Filter) ([]Summary, error) {
	var where []string
	var args []any
	if f.Route != "" {
		where, args = append(where, "route = ?"), append(args, f.Route)
	}
	if f.Status != 0 {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	q := `SELECT ` + summaryCols + ` FROM history_requests`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var sm Summary
		if err := scanSummary(rows, &sm, nil, nil); err != nil {
			return nil, err
		}
		out = append(out, sm)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

// scanSummary reads summaryCols, then the extra columns into extra.
func scanSummary(sc scanner, sm *Summary, extra ...any) error {
	var tns int64
	var replayOf sql.NullInt64
	var dup int
	dest := []any{&sm.ID, &tns, &sm.Method, &sm.Path, &sm.Route, &sm.Status, &sm.DurationMS, &sm.Error, &replayOf, &dup}
	for _, e := range extra {
		if e != nil {
			dest = append(dest, e)
		}
	}
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	sm.Time = time.Unix(0, tns).UTC()
	if replayOf.Valid {
		v := replayOf.Int64
		sm.ReplayOf = &v
	}
	sm.Duplicate = dup != 0
	return nil
}

func (s *sqlStore) Get(ctx context.Context, id int64) (*Record, error) {
	var sm Summary
	var rid, det string
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+summaryCols+`, request_id, detail FROM history_requests WHERE id = ?`), id)
	if err := scanSummary(row, &sm, &rid, &det); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	var d detail
	if err := json.Unmarshal([]byte(det), &d); err != nil {
		return nil, fmt.Errorf("history: record %d: %w", id, err)
	}
	r := &Record{ID: sm.ID, Time: sm.Time, Method: sm.Method, Path: sm.Path, Route: sm.Route, Status: sm.Status,
		DurationMS: sm.DurationMS, Error: sm.Error, ReplayOf: sm.ReplayOf, Duplicate: sm.Duplicate,
		RequestID: rid, Steps: d.Steps, Request: d.Request, Response: d.Response, ErrorSource: d.ErrorSource,
		Logs: d.Logs, Jobs: d.Jobs, Deliveries: d.Deliveries}
	if err := s.joinEvents(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// joinEvents adds the events of r's request id, in order.
func (s *sqlStore) joinEvents(ctx context.Context, r *Record) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT data FROM history_events WHERE request_id = ? ORDER BY id`), r.RequestID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return err
		}
		var e eventData
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			continue // one bad event must not hide the record
		}
		r.apply(Event{Log: e.Log, Job: e.Job, Delivery: e.Delivery})
	}
	return rows.Err()
}

func (s *sqlStore) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM history_requests`).Scan(&n)
	return n, err
}

func (s *sqlStore) Close() error { return s.db.Close() }
