package reload

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/server"
)

var table = []lang.Builtin{{Name: "PRINT", MinArgs: 0, MaxArgs: lang.Variadic, Stmt: true}}

type reg struct{}

func (reg) Lookup(name string) (runtime.BuiltinFunc, bool) {
	if name != "PRINT" {
		return nil, false
	}
	return func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		for _, a := range args {
			th.Write(a.String())
		}
		return nil, nil
	}, true
}

type logBuf = testlog.Buffer

// rig is a served scripts directory under a running Watcher.
type rig struct {
	dir   string
	ts    *httptest.Server
	logs  *logBuf
	loads atomic.Int64
	w     *Watcher
}

func version(n int) string {
	return fmt.Sprintf("ON WEBHOOK GET TO \"/v\" DO\n  PRINT \"%d\"\nEND ON\n", n)
}

// start writes files, loads them once (as serve does), serves them and runs
// a Watcher with cfg's durations until the test ends.
func start(t *testing.T, cfg timing, files map[string]string) *rig {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, path, text)
	}
	return startIn(t, dir, cfg)
}

// startIn serves and watches dir as it is.
func startIn(t *testing.T, dir string, cfg timing) *rig {
	t.Helper()
	r := &rig{dir: dir, logs: &logBuf{}}
	log := slog.New(slog.NewTextHandler(r.logs, nil))
	srv := server.New(server.Config{Logger: log})
	load := func() (Candidate, error) {
		r.loads.Add(1)
		prog, err := lang.LoadDirs([]string{r.dir}, table)
		if err != nil {
			return Candidate{}, err
		}
		m, err := runtime.New(prog, reg{}, runtime.Options{Logger: log})
		if err != nil {
			return Candidate{}, err
		}
		return Candidate{Program: prog, Commit: func() { srv.Swap(m) }}, nil
	}
	first, err := load()
	if err != nil {
		t.Fatalf("first load: %v", err)
	}
	first.Commit()
	r.ts = httptest.NewServer(srv.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	r.w = &Watcher{Dir: r.dir, Load: load, Serving: first.Program, Logger: log,
		Debounce: cfg.debounce, Settle: cfg.settle, Poll: cfg.poll}
	go func() { done <- r.w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		r.ts.Close()
	})
	r.waitLog(t, `msg="watching scripts"`)
	return r
}

// waitLog waits up to 5 s for a log line matching re.
func (r *rig) waitLog(t *testing.T, re string) {
	t.Helper()
	waitFor(t, 5*time.Second, "log "+re, func() bool { return regexp.MustCompile(re).MatchString(r.logs.String()) })
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// get answers status and body of GET path.
func (r *rig) get(path string) (int, string, error) {
	resp, err := r.ts.Client().Get(r.ts.URL + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (r *rig) waitBody(t *testing.T, d time.Duration, path, want string) {
	t.Helper()
	waitFor(t, d, path+" to answer "+want, func() bool {
		status, body, _ := r.get(path)
		return status == 200 && body == want
	})
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// timing is a Watcher's durations; zero means the default.
type timing struct{ debounce, settle, poll time.Duration }

// fast is quick enough for tests; the settle stays long enough to see.
var fast = timing{debounce: 20 * time.Millisecond, settle: 300 * time.Millisecond, poll: 50 * time.Millisecond}

// saveAtomically writes a temporary file and renames it over path, as vim,
// JetBrains and sed -i do.
func saveAtomically(t *testing.T, path, tmpName, text string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), tmpName)
	write(t, tmp, text)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// Every request during 50 saves is answered 200 by some version, and
// versions never go backwards.
func TestReloadUnderLoad(t *testing.T) {
	r := start(t, fast, map[string]string{"v.bas": version(0)})
	path := filepath.Join(r.dir, "v.bas")

	stop := make(chan struct{})
	var served atomic.Int64
	clientDone := make(chan struct{})
	go func() {
		defer close(clientDone)
		last := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			status, body, err := r.get("/v")
			n, convErr := strconv.Atoi(body)
			if err != nil || status != 200 || convErr != nil || n < last || n > 50 {
				t.Errorf("request %d: status %d body %q err %v (last version %d)", served.Load(), status, body, err, last)
				return
			}
			last = n
			served.Add(1)
		}
	}()

	temps := []string{"v.bas.tmp", ".v.bas.swp", "sedA1b2C3", "v.bas~"}
	for i := 1; i <= 50; i++ {
		if i%2 == 0 {
			write(t, path, version(i))
		} else {
			saveAtomically(t, path, temps[(i/2)%len(temps)], version(i))
		}
		r.waitBody(t, time.Second, "/v", strconv.Itoa(i))
	}
	close(stop)
	<-clientDone
	if served.Load() < 50 {
		t.Errorf("only %d requests served during the saves", served.Load())
	}
	t.Logf("%d requests, %d loads", served.Load(), r.loads.Load())
}

// A save that breaks the check logs every problem and keeps the old version.
func TestBrokenSaveKeepsLastGood(t *testing.T) {
	r := start(t, fast, map[string]string{"v.bas": version(1)})
	path := filepath.Join(r.dir, "v.bas")
	write(t, path, version(2)+"PRINT \"top\"\n"+version(3))
	for _, want := range []string{
		`level=ERROR msg="script problem" problem=".*v\.bas:4:1: `,
		`level=ERROR msg="script problem" problem=".*v\.bas:5:1: `,
		`level=ERROR msg="reload failed; still serving the last good program"`,
	} {
		r.waitLog(t, want)
	}
	if status, body, err := r.get("/v"); status != 200 || body != "1" || err != nil {
		t.Errorf("after a broken save: got %d %q %v, want the last good version", status, body, err)
	}
	write(t, path, version(4))
	r.waitBody(t, time.Second, "/v", "4")
}

// With the default debounce a save is served within a second.
func TestNewVersionWithinOneSecond(t *testing.T) {
	r := start(t, timing{}, map[string]string{"v.bas": version(1)})
	saveAtomically(t, filepath.Join(r.dir, "v.bas"), "v.bas.tmp", version(2))
	r.waitBody(t, time.Second, "/v", "2")
}

// A Kubernetes ConfigMap update swaps the ..data symlink; the scripts are
// symlinks through it and never change themselves.
func TestConfigMapSymlinkSwap(t *testing.T) {
	r := start(t, fast, nil)
	mkVersion := func(dir string, n int) {
		if err := os.Mkdir(filepath.Join(r.dir, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(r.dir, dir, "v.bas"), version(n))
	}
	mkVersion("..2026_01", 1)
	if err := os.Symlink("..2026_01", filepath.Join(r.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/v.bas", filepath.Join(r.dir, "v.bas")); err != nil {
		t.Fatal(err)
	}
	r.waitBody(t, time.Second, "/v", "1")
	mkVersion("..2026_02", 2)
	if err := os.Symlink("..2026_02", filepath.Join(r.dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(r.dir, "..data_tmp"), filepath.Join(r.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	r.waitBody(t, time.Second, "/v", "2")
}
