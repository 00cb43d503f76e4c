// Package queuetest gives tests a fresh PostgreSQL database of their own on
// the server named by GBHOOK_TEST_DATABASE_URL (.ci/run starts one).
package queuetest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's URL.
const EnvURL = "GBHOOK_TEST_DATABASE_URL"

// ServerURL is the test server's URL. Without one the test is skipped on a
// developer machine and fails in CI (CI set).
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server)", EnvURL)
		}
		t.Skipf("%s is not set; skipping a PostgreSQL test", EnvURL)
	}
	return u
}

// ServerURLOrEmpty is the test server's URL or "" (for benchmarks, which
// skip without one even in CI).
func ServerURLOrEmpty() string { return os.Getenv(EnvURL) }

// Database creates an empty database for this test, dropped at its end, and
// gives its URL.
func Database(t testing.TB) string {
	t.Helper()
	base := ServerURL(t)
	name := "gbhook_test_" + strings.ToLower(rand.Text()[:12])
	sqlExec(t, base, "CREATE DATABASE "+name)
	t.Cleanup(func() { sqlExec(t, base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func sqlExec(t testing.TB, dbURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connecting to the test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
