package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

const jobsSrc = `SUB FIRST(N)
  NOTE "first " + N
  SPAWN SECOND N + 1
END SUB
SUB SECOND(N)
  NOTE "second " + N
END SUB
SUB BROKEN(X$)
  MISHAP X$
END SUB
`

// A committed job runs on the current program; the job it SPAWNs is stored
// as it completes, and runs too, with the SPAWN's position kept.
func TestCommittedJobsRun(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		w := newWorld(t, cfg, jobsSrc)
		if err := w.q.Commit(context.Background(), []runtime.Job{job("FIRST", 40, runtime.Num(1))}, nil); err != nil {
			t.Fatal(err)
		}
		rows := w.waitState(t, "completed", 2)
		if got := w.gotNotes(); !slices.Equal(got, []string{"first 1", "second 2"}) {
			t.Errorf("notes %q", got)
		}
		want := []Row{
			{ID: rows[0].ID, State: "completed", Sub: "SECOND", Attempt: 1, MaxAttempts: 8, SpawnedAt: "t.bas:3", RequestID: "req-1"},
			{ID: rows[1].ID, State: "completed", Sub: "FIRST", Attempt: 1, MaxAttempts: 8, SpawnedAt: "t.bas:40", RequestID: "req-1"},
		}
		if !slices.Equal(rows, want) {
			t.Errorf("rows\n%+v\nwant\n%+v", rows, want)
		}
	})
}

// Script errors and permanent failures cancel at once; transient ones are
// retried and the job is discarded after its last attempt; a transient
// failure that clears succeeds. Errors keep their file:line:col.
func TestFailuresEndAsDeadLetters(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		cfg.MaxAttempts = 3
		w := newWorld(t, cfg, jobsSrc)
		jobs := []runtime.Job{job("BROKEN", 1, runtime.Str("permanent")), job("BROKEN", 2, runtime.Str("transient")),
			job("BROKEN", 3, runtime.Str("twice"))}
		if err := w.q.Commit(context.Background(), jobs, nil); err != nil {
			t.Fatal(err)
		}
		failed := w.waitState(t, "failed", 2)
		done := w.waitState(t, "completed", 1)
		got := map[string]Row{}
		for _, r := range append(failed, done...) {
			got[r.SpawnedAt] = Row{State: r.State, Attempt: r.Attempt, Error: r.Error}
		}
		want := map[string]Row{
			"t.bas:1": {State: "cancelled", Attempt: 1, Error: "t.bas:9:3: token expired"},
			"t.bas:2": {State: "discarded", Attempt: 3, Error: "t.bas:9:3: graph said slow down (transient)"},
			"t.bas:3": {State: "completed", Attempt: 3, Error: "t.bas:9:3: busy (transient)"},
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("job from %s: %+v, want %+v", k, got[k], v)
			}
		}
		if n := w.fails["permanent"]; n != 1 {
			t.Errorf("the permanent failure ran %d times, want 1", n)
		}
	})
}

// A job whose SUB was removed by a reload fails at once, saying so at the
// SPAWN's position; once the SUB is back, retrying runs it.
func TestMissingSubFailsThenRetryRuns(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		w := newWorld(t, cfg, "SUB OTHER\n  NOTE \"x\"\nEND SUB\n")
		pending, err := w.q.Pending(context.Background())
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending %v %v", pending, err)
		}
		if err := w.q.Commit(context.Background(), []runtime.Job{job("SECOND", 7, runtime.Num(4))}, nil); err != nil {
			t.Fatal(err)
		}
		rows := w.waitState(t, "cancelled", 1)
		want := "t.bas:7:3: SPAWN of SECOND: the current program has no SUB named SECOND"
		if rows[0].Error != want || rows[0].Attempt != 1 {
			t.Fatalf("got %+v, want error %q", rows[0], want)
		}
		w.load(t, jobsSrc)
		r, err := w.q.Retry(context.Background(), rows[0].ID)
		if err != nil || r.State != "available" {
			t.Fatalf("retry: %+v %v", r, err)
		}
		w.waitState(t, "completed", 1)
		if got := w.gotNotes(); !slices.Equal(got, []string{"second 4"}) {
			t.Errorf("notes %q", got)
		}
		if _, err := w.q.Retry(context.Background(), 999999); err == nil || err.Error() != "no job with id 999999" {
			t.Errorf("retry of a missing job: %v", err)
		}
	})
}

// An administration queue (no Machine, as `gbhook jobs` opens it) lists and
// cancels waiting jobs, and refuses to run them.
func TestAdminCancel(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		ctx := context.Background()
		q, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		if err := q.Start(ctx); err == nil || err.Error() != "queue: opened without a Machine; it cannot run jobs" {
			t.Errorf("Start: %v", err)
		}
		if err := q.Commit(ctx, []runtime.Job{job("SECOND", 5, runtime.Num(1))}, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := q.List(ctx, "available", 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("available: %+v %v", rows, err)
		}
		r, err := q.Cancel(ctx, rows[0].ID)
		if err != nil || r.State != "cancelled" || r.Sub != "SECOND" || r.SpawnedAt != "t.bas:5" {
			t.Fatalf("cancel: %+v %v", r, err)
		}
		if failed, err := q.List(ctx, "failed", 10); err != nil || len(failed) != 1 || failed[0].ID != r.ID {
			t.Errorf("failed after cancel: %+v %v", failed, err)
		}
		if _, err := q.Cancel(ctx, r.ID+100); err == nil || err.Error() != fmt.Sprintf("no job with id %d", r.ID+100) {
			t.Errorf("cancel of a missing job: %v", err)
		}
	})
}

// Dedupe keys: stored with the jobs; a commit whose every key is known is a
// duplicate and stores nothing; keys expire after DedupeTTL and are pruned.
func TestDedupeKeys(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		now := time.Unix(1_800_000_000, 0)
		cfg.Now = func() time.Time { return now }
		w := newWorld(t, cfg, jobsSrc)
		ctx := context.Background()
		handled := func(keys ...string) bool {
			t.Helper()
			ok, err := w.q.Handled(ctx, keys)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if handled("a") || handled() {
			t.Fatal("nothing stored yet, yet handled")
		}
		if err := w.q.Commit(ctx, nil, []string{"a", "b", "a"}); err != nil {
			t.Fatal(err)
		}
		if !handled("a") || !handled("b", "a") || handled("a", "c") {
			t.Error("handled() after storing a and b is wrong")
		}
		err := w.q.Commit(ctx, []runtime.Job{job("SECOND", 1, runtime.Num(1))}, []string{"b", "a"})
		if !errors.Is(err, runtime.ErrDuplicate) {
			t.Fatalf("duplicate commit: %v", err)
		}
		if err := w.q.Commit(ctx, []runtime.Job{job("SECOND", 2, runtime.Num(2))}, []string{"a", "c"}); err != nil {
			t.Fatalf("one old and one new key: %v", err)
		}
		w.waitState(t, "completed", 1)
		time.Sleep(300 * time.Millisecond) // a wrongly stored duplicate job would have run by now
		if got := w.gotNotes(); !slices.Equal(got, []string{"second 2"}) {
			t.Errorf("notes %q: the duplicate's job ran", got)
		}
		now = now.Add(DedupeTTL)
		if handled("a") {
			t.Error("a key is still handled after DedupeTTL")
		}
		if n, err := w.q.Prune(ctx); err != nil || n != 3 {
			t.Errorf("pruned %d, %v; want 3", n, err)
		}
		if err := w.q.Commit(ctx, nil, []string{"a"}); err != nil {
			t.Errorf("an expired key stored again: %v", err)
		}
	})
}

func TestValueRoundTrip(t *testing.T) {
	vals := []runtime.Value{runtime.Str(""), runtime.Str("olá \"x\"\n"), runtime.Num(0), runtime.Num(0.1),
		runtime.Num(-1e300), runtime.Num(math.Inf(1)), runtime.Num(math.Inf(-1)), runtime.Num(math.NaN()),
		runtime.Bool(true), runtime.Bool(false), runtime.JSON(`{"a":[1,2,{"b":null}]}`), runtime.JSON(`[]`), runtime.JSON(`"s"`)}
	in := spawnArgs{Sub: "S", File: "t.bas", Line: 2, Col: 3, RequestID: "r"}
	for _, v := range vals {
		in.Args = append(in.Args, value{v})
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out spawnArgs
	if err := decodeArgs(b, &out); err != nil {
		t.Fatal(err)
	}
	j := out.job()
	if j.Sub != "S" || j.Pos.String() != "t.bas:2:3" || j.RequestID != "r" || len(j.Args) != len(vals) {
		t.Fatalf("job %+v", j)
	}
	for i, v := range vals {
		got := j.Args[i]
		same := fmt.Sprintf("%T %v", got, got) == fmt.Sprintf("%T %v", v, v)
		if n, ok := v.(runtime.Num); ok && math.IsNaN(float64(n)) {
			g, ok := got.(runtime.Num)
			same = ok && math.IsNaN(float64(g))
		}
		if !same {
			t.Errorf("arg %d: %T %v came back as %T %v", i, v, v, got, got)
		}
	}
}

func TestValueDecodeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no tag", `{}`, `queue: stored argument {} has no s, n, b or j`},
		{"bad number string", `{"n":"12"}`, `queue: stored number "12" is not NaN or an infinity`},
		{"number out of range", `{"n":1e400}`, `queue: stored number 1e400: strconv.ParseFloat: parsing "1e400": value out of range`},
		{"not an object", `[1]`, `json: cannot unmarshal array into Go value of type struct { S *string "json:\"s\""; N json.RawMessage "json:\"n\""; B *bool "json:\"b\""; J json.RawMessage "json:\"j\"" }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v value
			err := json.Unmarshal([]byte(tt.in), &v)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// Concurrent commits share transactions: of 25 racing copies of one
// delivery exactly one is stored, and the 25 other deliveries grouped with
// them are all stored.
func TestConcurrentCommitsGroupedAndDeduplicated(t *testing.T) {
	backends(t, func(t *testing.T, cfg Config) {
		ctx := context.Background()
		q, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		errs := make(chan error, 50)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := "same delivery"
				if i%2 == 1 {
					key = fmt.Sprintf("delivery %d", i)
				}
				err := q.Commit(ctx, []runtime.Job{job("SECOND", i, runtime.Num(float64(i)))}, []string{key})
				if i%2 == 1 && err != nil {
					t.Errorf("delivery %d: %v", i, err)
				}
				if i%2 == 0 {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		stored, dups := 0, 0
		for err := range errs {
			switch {
			case err == nil:
				stored++
			case errors.Is(err, runtime.ErrDuplicate):
				dups++
			default:
				t.Errorf("copy: %v", err)
			}
		}
		rows, err := q.List(ctx, "available", 100)
		if stored != 1 || dups != 24 || err != nil || len(rows) != 26 {
			t.Errorf("copies stored %d, duplicates %d; %d jobs stored (%v), want 1, 24, 26", stored, dups, len(rows), err)
		}
	})
}

// Regression: a "#" in the data directory's name once cut the database path
// short (the DSN is a URI), putting gbhook.db beside the directory.
func TestDataDirWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b#c%d?e")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	q, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	if _, err := os.Stat(filepath.Join(dir, "gbhook.db")); err != nil {
		t.Errorf("gbhook.db not in the data directory: %v", err)
	}
}

// Regression: after PostgreSQL restarted, the first commit met the pool's
// dead connections and failed (the webhook answered 503) although the
// database was back. It now starts over once on fresh connections.
func TestCommitAfterDatabaseRestart(t *testing.T) {
	pg := queuetest.NewServer(t)
	ctx := context.Background()
	q, err := Open(ctx, Config{DatabaseURL: pg.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for i := range 4 { // several pooled connections, all to die with the server
		if err := q.Commit(ctx, []runtime.Job{job("SECOND", 5, runtime.Num(float64(i)))}, nil); err != nil {
			t.Fatal(err)
		}
	}
	pg.Stop()
	pg.Start()
	if err := q.Commit(ctx, []runtime.Job{job("SECOND", 5, runtime.Num(9))}, nil); err != nil {
		t.Fatalf("first commit after the restart: %v", err)
	}
}
