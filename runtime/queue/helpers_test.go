package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

// testTable declares the builtins the queue tests use; the real table lives
// in package builtins, which runtime packages never import.
var testTable = []lang.Builtin{
	{Name: "NOTE", MinArgs: 1, MaxArgs: 1, Stmt: true, PathArg: -1},
	{Name: "MISHAP", MinArgs: 1, MaxArgs: 1, Stmt: true, PathArg: -1},
	{Name: "RUNNOTE", MinArgs: 1, MaxArgs: 1, Stmt: true, PathArg: -1},
}

// world is a queue running jobs on a program that tests can replace.
type world struct {
	q      *Queue
	m      atomic.Pointer[runtime.Machine]
	mu     sync.Mutex
	notes  []string
	fails  map[string]int // MISHAP calls by kind
	onNote func(string)   // called by NOTE instead of recording, when set
}

func (w *world) note(s string) {
	if w.onNote != nil {
		w.onNote(s)
		return
	}
	w.mu.Lock()
	w.notes = append(w.notes, s)
	w.mu.Unlock()
}

func (w *world) gotNotes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.notes...)
}

type reg map[string]runtime.BuiltinFunc

func (r reg) Lookup(name string) (runtime.BuiltinFunc, bool) { fn, ok := r[name]; return fn, ok }

func (w *world) registry() reg {
	return reg{
		"NOTE": func(_ *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			w.note(args[0].String())
			return nil, nil
		},
		"RUNNOTE": func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			w.note(args[0].String() + " " + th.RequestID())
			return nil, nil
		},
		"MISHAP": func(_ *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			kind := args[0].String()
			w.mu.Lock()
			w.fails[kind]++
			n := w.fails[kind]
			w.mu.Unlock()
			switch kind {
			case "transient":
				return nil, &runtime.Error{Pos: site.P, Msg: "graph said slow down (transient)",
					Err: &delivery.TransientError{Service: "whatsapp", Err: errors.New("slow down")}}
			case "twice":
				if n <= 2 {
					return nil, &runtime.Error{Pos: site.P, Msg: "busy (transient)",
						Err: &delivery.TransientError{Service: "whatsapp", Err: errors.New("busy")}}
				}
				w.note("third time lucky")
				return nil, nil
			}
			return nil, &runtime.Error{Pos: site.P, Msg: "token expired"}
		},
	}
}

// load makes src (as t.bas) the current program.
func (w *world) load(t testing.TB, src string) {
	t.Helper()
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, testTable)
	if err != nil {
		t.Fatal(err)
	}
	m, err := runtime.New(prog, w.registry(), runtime.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	w.m.Store(m)
}

// backends runs fn on SQLite and on PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, cfg Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, Config{DataDir: t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) { fn(t, Config{DatabaseURL: queuetest.Database(t)}) })
}

// newWorld opens and starts a queue over cfg with src loaded.
func newWorld(t testing.TB, cfg Config, src string) *world {
	t.Helper()
	w := &world{fails: map[string]int{}}
	w.load(t, src)
	cfg.Machine = w.m.Load
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 10 * time.Millisecond
	}
	q, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.q = q
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
		q.Close()
	})
	return w
}

// waitState polls until job id reaches state, failing after 30 s.
func (w *world) waitState(t *testing.T, state string, n int) []Row {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rows, err := w.q.List(context.Background(), state, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) >= n {
			return rows
		}
		if time.Now().After(deadline) {
			all, _ := w.q.List(context.Background(), "", 100)
			t.Fatalf("%d jobs %s after 30s, want %d; all jobs: %+v", len(rows), state, n, all)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func job(sub string, line int, args ...runtime.Value) runtime.Job {
	return runtime.Job{Sub: sub, Args: args, Pos: lang.Pos{File: "t.bas", Line: line, Col: 3}, RequestID: "req-1"}
}
