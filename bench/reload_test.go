package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/reload"
)

// loadFunc makes what cmd/gbhook's prepare does for dir: load the program
// with one lang.Loader and build its Machine, reusing the last Machine's code
// for the files both programs share. With uncached, every load parses,
// checks and compiles every file (lang.LoadDirs, as before the Loader).
func loadFunc(b *testing.B, dir string, uncached bool) func() (*lang.Program, error) {
	reg := builtins.Registry(builtins.Deps{Logger: discard()})
	load := lang.NewLoader([]string{dir}, builtins.Specs()).Load
	if uncached {
		load = func() (*lang.Program, error) { return lang.LoadDirs([]string{dir}, builtins.Specs()) }
	}
	var last *runtime.Machine
	return func() (*lang.Program, error) {
		prog, err := load()
		if err != nil {
			return nil, err
		}
		opts := runtime.Options{Logger: discard()}
		if !uncached {
			opts.Reuse = last
		}
		last, err = runtime.New(prog, reg, opts)
		return prog, err
	}
}

// generated1MB writes the 200-file, 1 MB directory of acceptance 6.
func generated1MB(b *testing.B) string {
	dir := b.TempDir()
	writeGeneratedScripts(b, dir, 200, 1<<20)
	return dir
}

// edit saves a new version of one script the way editors do (a temp file
// renamed over it), so the watcher sees one change.
func edit(b *testing.B, dir string, i int) {
	name := filepath.Join(dir, "gen007.bas")
	src := generatedScript(7, (1<<20)/200) + fmt.Sprintf("REM edit %d\n", i)
	tmp := filepath.Join(dir, ".edit.tmp")
	if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLoad is the load of the 1 MB directory: from nothing, and after
// saving one of its files, with the Loader and (the figure before it) with
// LoadDirs. Each case makes its loader when it runs, so that no case's kept
// programs are still live (and marked by the GC) while another is measured.
func BenchmarkLoad(b *testing.B) {
	dir := generated1MB(b)
	for _, c := range []struct {
		name string
		load func() func() (*lang.Program, error)
	}{
		{"one-file-changed", func() func() (*lang.Program, error) { return loadFunc(b, dir, false) }},
		{"one-file-changed-lang-only", func() func() (*lang.Program, error) { // without runtime.New
			return lang.NewLoader([]string{dir}, builtins.Specs()).Load
		}},
		{"one-file-changed-uncached", func() func() (*lang.Program, error) { return loadFunc(b, dir, true) }},
	} {
		b.Run(c.name, func(b *testing.B) { benchOneChanged(b, dir, c.load()) })
	}
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := loadFunc(b, dir, false)(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchOneChanged(b *testing.B, dir string, load func() (*lang.Program, error)) {
	if _, err := load(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		i++
		edit(b, dir, i)
		if _, err := load(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReload is a save in the 1 MB directory, from the file event to the
// new program live, through reload.Watcher with a 1 ms debounce (the
// production debounce, 150 ms, is excluded: it only waits).
func BenchmarkReload(b *testing.B) {
	dir := generated1MB(b)
	load := loadFunc(b, dir, false)
	serving, err := load()
	if err != nil {
		b.Fatal(err)
	}
	live := make(chan struct{}, 1)
	w := &reload.Watcher{Dir: dir, Serving: serving, Logger: discard(), Debounce: time.Millisecond,
		Load: func() (reload.Candidate, error) {
			prog, err := load()
			return reload.Candidate{Program: prog, Commit: func() { live <- struct{}{} }}, err
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait := func() {
		select {
		case <-live:
		case <-time.After(30 * time.Second):
			b.Fatal("no reload within 30s")
		}
	}
	time.Sleep(100 * time.Millisecond) // the watch is set up
	edit(b, dir, 0)
	wait()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		i++
		edit(b, dir, i)
		wait()
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ms/op, the CPU time of all cores per op (GC included), to
// a benchmark's figures: on the shared machine wall time swings with the
// other processes' load, while CPU time mostly does not. On a quiet machine
// the wall time lies between cpu-ms/op over the cores and cpu-ms/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() {
		b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkLoadParts splits BenchmarkLoad/full in two: a first Loader.Load
// (read, parse, keep the parses, check copies) and runtime.New of the program.
func BenchmarkLoadParts(b *testing.B) {
	dir := generated1MB(b)
	b.Run("lang.Loader", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := lang.NewLoader([]string{dir}, builtins.Specs()).Load(); err != nil {
				b.Fatal(err)
			}
		}
	})
	prog, err := lang.LoadDirs([]string{dir}, builtins.Specs())
	if err != nil {
		b.Fatal(err)
	}
	reg := builtins.Registry(builtins.Deps{Logger: discard()})
	b.Run("runtime.New", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := runtime.New(prog, reg, runtime.Options{Logger: discard()}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
