package queue

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

// benchBackends runs fn on SQLite and, when a server is configured, on
// PostgreSQL (benchmarks are not tests: they never fail for a missing server).
func benchBackends(b *testing.B, fn func(b *testing.B, cfg Config)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, Config{DataDir: b.TempDir()}) })
	b.Run("postgres", func(b *testing.B) {
		if queuetest.ServerURLOrEmpty() == "" {
			b.Skip("no PostgreSQL")
		}
		fn(b, Config{DatabaseURL: queuetest.Database(b)})
	})
}

// BenchmarkCommit: webhook-style commits (one job per transaction) from 16
// goroutines; spawns/s is the committed-job rate.
func BenchmarkCommit(b *testing.B) {
	benchBackends(b, func(b *testing.B, cfg Config) {
		w := newWorld(b, cfg, "SUB IDLE(N)\nEND SUB\n")
		ctx := context.Background()
		b.SetParallelism(8) // 8 × GOMAXPROCS concurrent webhooks
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := w.q.Commit(ctx, []runtime.Job{job("IDLE", 1, runtime.Num(1))}, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "spawns/s")
	})
}

// BenchmarkDrain: b.N committed jobs (in batches of 100) run by the worker
// pool; jobs/s is the end-to-end rate.
func BenchmarkDrain(b *testing.B) {
	benchBackends(b, func(b *testing.B, cfg Config) {
		w := newWorld(b, cfg, "SUB COUNT(N)\n  NOTE N\nEND SUB\n")
		ctx := context.Background()
		start := time.Now()
		for i := 0; i < b.N; i += 100 {
			batch := make([]runtime.Job, 0, 100)
			for j := i; j < min(i+100, b.N); j++ {
				batch = append(batch, job("COUNT", 1, runtime.Num(float64(j))))
			}
			if err := w.q.Commit(ctx, batch, nil); err != nil {
				b.Fatal(err)
			}
		}
		for len(w.gotNotes()) < b.N {
			time.Sleep(2 * time.Millisecond)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
	})
}

// BenchmarkEnqueueToStart: one job at a time, from commit to the first
// statement of its SUB; p50 and p99 in milliseconds.
func BenchmarkEnqueueToStart(b *testing.B) {
	benchBackends(b, func(b *testing.B, cfg Config) {
		w := newWorld(b, cfg, "SUB STARTED(N)\n  NOTE N\nEND SUB\n")
		started := make(chan time.Time, 1)
		var once sync.Mutex
		w.onNote = func(string) { once.Lock(); started <- time.Now(); once.Unlock() }
		ctx := context.Background()
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if err := w.q.Commit(ctx, []runtime.Job{job("STARTED", 1, runtime.Num(float64(i)))}, nil); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, (<-started).Sub(t0))
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
