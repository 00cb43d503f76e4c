package history

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // the pure-Go "sqlite" database/sql driver
)

// OpenSQLite opens (creating if needed) the history tables in the SQLite
// file at path, in WAL mode so that another connection to the same file (the
// job queue's) can work alongside.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("history: opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // SQLite has one writer; one connection avoids SQLITE_BUSY between ours
	s, err := newSQLStore(ctx, db, sqliteDialect)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (database %s)", err, path)
	}
	return s, nil
}

// OpenSQLiteDB uses an already open SQLite database (for example the job
// queue's handle on the same file).
func OpenSQLiteDB(ctx context.Context, db *sql.DB) (Store, error) {
	return newSQLStore(ctx, db, sqliteDialect)
}
