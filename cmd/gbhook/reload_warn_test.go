package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// A reload that removes a SUB, or changes its parameters, while jobs for it
// wait logs a WARN naming it and counting them (a rename during a backlog
// once failed its jobs silently).
func TestReloadWarnsAboutQueuedJobs(t *testing.T) {
	dir := t.TempDir()
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "s.bas"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("SUB REPLY(N$)\n  LOG N$\nEND SUB\nSUB KEEP(N$)\n  LOG N$\nEND SUB\nSUB GONE\n  LOG \"x\"\nEND SUB\n")
	logs := &syncBuffer{}
	a, err := newApp(appConfig{Dirs: []string{dir}, Data: t.TempDir(), Getenv: func(string) string { return "" },
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.queue.Close()
	if err := a.load(); err != nil {
		t.Fatal(err)
	}
	// Workers are not started: the jobs wait.
	pos := lang.Pos{File: "s.bas", Line: 1, Col: 1}
	jobs := []runtime.Job{{Sub: "REPLY", Args: []runtime.Value{runtime.Str("a")}, Pos: pos},
		{Sub: "REPLY", Args: []runtime.Value{runtime.Str("b")}, Pos: pos},
		{Sub: "KEEP", Args: []runtime.Value{runtime.Str("c")}, Pos: pos}}
	if err := a.queue.Commit(context.Background(), jobs, nil); err != nil {
		t.Fatal(err)
	}
	write("SUB REPLY(TO$, N$)\n  LOG N$\nEND SUB\nSUB KEEP(N$)\n  LOG N$\nEND SUB\n")
	if err := a.load(); err != nil {
		t.Fatal(err)
	}
	var warns []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=WARN") {
			warns = append(warns, l[strings.Index(l, "level="):])
		}
	}
	want := []string{`level=WARN msg="reload removed or changed a SUB that queued jobs wait for; they fail until it is back (gbhook jobs retry)" sub=REPLY jobs=2`}
	if strings.Join(warns, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
	}
}
