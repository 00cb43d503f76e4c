package history

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// postgresDialect keeps the history in PostgreSQL, shared by every replica
// on that database (the job queue's).
var postgresDialect = dialect{
	ph: func(n int) string { return fmt.Sprintf("$%d", n) },
	ddl: []string{
		// Replicas starting together would race on CREATE TABLE IF NOT
		// EXISTS; the transaction-scoped lock makes them take turns.
		`SELECT pg_advisory_xact_lock(4732619051)`,
		`CREATE TABLE IF NOT EXISTS history_requests (
			id BIGSERIAL PRIMARY KEY,
			time_ns BIGINT NOT NULL,
			request_id TEXT NOT NULL,
			method TEXT NOT NULL, path TEXT NOT NULL, route TEXT NOT NULL,
			status INTEGER NOT NULL, duration_ms DOUBLE PRECISION NOT NULL, error TEXT NOT NULL,
			replay_of BIGINT, duplicate INTEGER NOT NULL,
			detail TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS history_events (
			id BIGSERIAL PRIMARY KEY,
			request_id TEXT NOT NULL, time_ns BIGINT NOT NULL, data TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS history_events_rid ON history_events(request_id)`,
	},
}

// OpenPostgres opens (creating if needed) the history tables in the
// PostgreSQL database at url (the queue's --database-url), so that every
// replica records into, and its inspector reads, one history.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("history: opening PostgreSQL: %w", err)
	}
	db.SetMaxOpenConns(4) // one writer, and the admin API's reads
	s, err := newSQLStore(ctx, db, postgresDialect)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
