package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/queue"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

const benchSrc = `SUB LATER(N$)
  PRINT N$
END SUB
ON WEBHOOK POST TO "/open" DO
  PRINT "ok"
END ON
ON WEBHOOK POST TO "/spawn" DO
  SPAWN LATER "x"
  PRINT "ok"
END ON
`

// BenchmarkWebhookAnswer: the time to answer a webhook without SPAWN, and
// with one SPAWN committed before the answer (SQLite, PostgreSQL). The
// difference is what a committed SPAWN adds; "parallel" runs 8×GOMAXPROCS
// webhooks at once, whose commits share transactions.
func BenchmarkWebhookAnswer(b *testing.B) {
	open := func(b *testing.B, cfg queue.Config) runtime.Queue {
		q, err := queue.Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(q.Close)
		return q
	}
	cases := []struct {
		name, path string
		queue      func(b *testing.B) runtime.Queue
	}{
		{"no-spawn", "/open", func(*testing.B) runtime.Queue { return nil }},
		{"spawn-sqlite", "/spawn", func(b *testing.B) runtime.Queue { return open(b, queue.Config{DataDir: b.TempDir()}) }},
		{"spawn-postgres", "/spawn", func(b *testing.B) runtime.Queue {
			if queuetest.ServerURLOrEmpty() == "" {
				b.Skip("no PostgreSQL")
			}
			return open(b, queue.Config{DatabaseURL: queuetest.Database(b)})
		}},
	}
	for _, c := range cases {
		for _, parallel := range []bool{false, true} {
			name := c.name
			if parallel {
				name += "-parallel"
			}
			b.Run(name, func(b *testing.B) {
				srv := benchServer(b, c.queue(b))
				serve := func() {
					rec := httptest.NewRecorder()
					srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", c.path, nil))
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
				if !parallel {
					for b.Loop() {
						serve()
					}
					return
				}
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						serve()
					}
				})
			})
		}
	}
}

func benchServer(b *testing.B, q runtime.Queue) *Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(benchSrc)}}, testTable)
	if err != nil {
		b.Fatal(err)
	}
	m, err := runtime.New(prog, newFakes().registry(), runtime.Options{Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	srv := New(Config{Queue: q, Logger: log, Getenv: func(string) string { return "" }})
	srv.Swap(m)
	return srv
}
