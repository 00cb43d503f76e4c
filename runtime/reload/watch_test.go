package reload

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
)

// poller GETs a path over HTTP in a loop and keeps every answer that is not
// a 200, until stop.
type poller struct {
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	bad   []string
	n     int
}

func (r *rig) poll(path string) *poller {
	p := &poller{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stopc:
				return
			default:
			}
			status, body, err := r.get(path)
			p.mu.Lock()
			p.n++
			if err != nil || status != 200 {
				p.bad = append(p.bad, fmt.Sprintf("%d %q %v", status, body, err))
			}
			p.mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return p
}

// stop ends the loop and fails the test if any answer was not a 200.
func (p *poller) stop(t *testing.T) {
	t.Helper()
	close(p.stopc)
	<-p.done
	if len(p.bad) > 0 {
		t.Errorf("%d of %d requests failed, first: %s", len(p.bad), p.n, p.bad[0])
	}
	if p.n < 5 {
		t.Errorf("only %d requests made while polling", p.n)
	}
}

func (r *rig) waitStatus(t *testing.T, d time.Duration, path string, want int) {
	t.Helper()
	waitFor(t, d, fmt.Sprintf("%s to answer %d", path, want), func() bool {
		status, _, _ := r.get(path)
		return status == want
	})
}

// removalHeld is the log line of a removal held for the settle, up to its duration.
const removalHeld = `msg="save removes routes; waiting before it goes live" dir=\S+ routes="GET /b" settle=`

// Regression: an editor that truncates then writes 300 ms later made the
// empty file go live, and the route answered 404 in between. With the
// default durations a client polling all along sees only 200s.
func TestTruncateThenWriteServesNo404(t *testing.T) {
	r := start(t, timing{}, map[string]string{"v.bas": version(1)})
	path := filepath.Join(r.dir, "v.bas")
	p := r.poll("/v")
	time.Sleep(50 * time.Millisecond)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	write(t, path, version(2))
	r.waitBody(t, 5*time.Second, "/v", "2")
	time.Sleep(50 * time.Millisecond)
	p.stop(t)
	t.Logf("%d requests; removal held: %v", p.n, strings.Contains(r.logs.String(), "save removes routes"))
}

// A save that removes a route goes live only after the settle time.
func TestRemovalWaitsTheSettle(t *testing.T) {
	r := start(t, timing{debounce: 20 * time.Millisecond, settle: 3 * time.Second}, map[string]string{
		"a.bas": "ON WEBHOOK GET TO \"/a\" DO\n  PRINT \"a\"\nEND ON\n",
		"b.bas": "ON WEBHOOK GET TO \"/b\" DO\n  PRINT \"b\"\nEND ON\n",
	})
	removed := time.Now()
	if err := os.Remove(filepath.Join(r.dir, "b.bas")); err != nil {
		t.Fatal(err)
	}
	r.waitLog(t, removalHeld+"3s")
	if status, body, _ := r.get("/b"); status != 200 || body != "b" {
		t.Errorf("/b while the removal is held: got %d %q, want 200 \"b\"", status, body)
	}
	r.waitStatus(t, 10*time.Second, "/b", 404)
	if d := time.Since(removed); d < 3*time.Second {
		t.Errorf("/b was removed %v after b.bas, want the settle (3s) at least", d)
	}
	if status, body, _ := r.get("/a"); status != 200 || body != "a" {
		t.Errorf("/a after deleting b.bas: got %d %q", status, body)
	}
}

// A save during the settle drops the held program: loading starts over from
// the new state, and a save that brings the route back goes live at once.
func TestSaveDuringSettleStartsOver(t *testing.T) {
	r := start(t, timing{debounce: 20 * time.Millisecond, settle: time.Hour}, map[string]string{
		"b.bas": "ON WEBHOOK GET TO \"/b\" DO\n  PRINT \"b\"\nEND ON\n",
	})
	p := r.poll("/b")
	path := filepath.Join(r.dir, "b.bas")
	write(t, path, "")
	r.waitLog(t, removalHeld+"1h0m0s")
	write(t, path, "ON WEBHOOK GET TO \"/b\" DO\n  PRINT \"b2\"\nEND ON\n")
	r.waitBody(t, 5*time.Second, "/b", "b2")
	p.stop(t)
	r.waitLog(t, `level=INFO msg="scripts changed again while waiting; starting over"`)
}

// Regression: after the scripts directory was renamed away and back, saves
// were never loaded again, and nothing said so.
func TestDirectoryRenamedAwayAndBack(t *testing.T) {
	r := start(t, fast, map[string]string{"v.bas": version(1)})
	away := r.dir + ".away"
	if err := os.Rename(r.dir, away); err != nil {
		t.Fatal(err)
	}
	r.waitLog(t, `level=ERROR msg="scripts directory lost; still serving the last good program, saves are not seen until it is back" dir=\S+ reason="moved or deleted"`)
	if status, body, _ := r.get("/v"); status != 200 || body != "1" {
		t.Errorf("/v with the directory away: got %d %q, want the last good program", status, body)
	}
	if err := os.Rename(away, r.dir); err != nil {
		t.Fatal(err)
	}
	r.waitLog(t, `level=INFO msg="scripts directory is back; watching it again"`)
	saveAtomically(t, filepath.Join(r.dir, "v.bas"), "v.bas.tmp", version(2))
	r.waitBody(t, 5*time.Second, "/v", "2")
}

// The directory deleted and made again, empty, then filled.
func TestDirectoryDeletedAndRecreated(t *testing.T) {
	r := start(t, fast, map[string]string{"v.bas": version(1), "team/w.bas": "ON WEBHOOK GET TO \"/w\" DO\nEND ON\n"})
	if err := os.RemoveAll(r.dir); err != nil {
		t.Fatal(err)
	}
	r.waitLog(t, `level=ERROR msg="scripts directory lost; `)
	if status, body, _ := r.get("/v"); status != 200 || body != "1" {
		t.Errorf("/v with the directory gone: got %d %q, want the last good program", status, body)
	}
	if err := os.Mkdir(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.waitLog(t, `msg="scripts directory is back; watching it again"`)
	if err := os.Mkdir(filepath.Join(r.dir, "team"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(r.dir, "team", "v.bas"), version(3))
	r.waitBody(t, 5*time.Second, "/v", "3")
}

// A deploy that re-points a symbolic link to the scripts directory sends no
// event for the directory: the poll notices, and the new release goes live.
func TestSymlinkedDirectoryRepointed(t *testing.T) {
	base := t.TempDir()
	for i, rel := range []string{"rel1", "rel2"} {
		if err := os.Mkdir(filepath.Join(base, rel), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(base, rel, "v.bas"), version(i+1))
	}
	link := filepath.Join(base, "scripts")
	if err := os.Symlink("rel1", link); err != nil {
		t.Fatal(err)
	}
	r := startIn(t, link, fast)
	r.waitBody(t, time.Second, "/v", "1")
	if err := os.Symlink("rel2", link+".new"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(link+".new", link); err != nil {
		t.Fatal(err)
	}
	r.waitBody(t, 5*time.Second, "/v", "2")
	r.waitLog(t, `level=WARN msg="scripts directory replaced; watching the new one"`)
	write(t, filepath.Join(base, "rel2", "v.bas"), version(3))
	r.waitBody(t, 5*time.Second, "/v", "3")
}

// A subdirectory renamed inside the tree is watched under its new name.
func TestSubdirectoryRenamedInsideTheTree(t *testing.T) {
	x := func(body string) string { return "ON WEBHOOK GET TO \"/x\" DO\n  PRINT \"" + body + "\"\nEND ON\n" }
	r := start(t, fast, map[string]string{"team/deep/x.bas": x("x1")})
	if err := os.Rename(filepath.Join(r.dir, "team"), filepath.Join(r.dir, "crew")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	write(t, filepath.Join(r.dir, "crew", "deep", "x.bas"), x("x2"))
	r.waitBody(t, 5*time.Second, "/x", "x2")
}

// A directory missing when the watch starts is logged and waited for.
func TestDirectoryMissingAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "later")
	logs := &logBuf{}
	committed := make(chan *lang.Program, 10)
	w := &Watcher{Dir: dir, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Debounce: fast.debounce, Settle: fast.settle, Poll: fast.poll,
		Load: func() (Candidate, error) {
			prog, err := lang.LoadDirs([]string{dir}, table)
			return Candidate{Program: prog, Commit: func() { committed <- prog }}, err
		}}
	r := &rig{logs: logs}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	r.waitLog(t, `level=ERROR msg="scripts directory lost; still serving the last good program, saves are not seen until it is back" dir=\S+ reason="stat \S+/later: no such file or directory"`)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "v.bas"), version(1))
	for {
		select {
		case prog := <-committed:
			if len(prog.Handlers) == 1 {
				return
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no program with /v committed; logs:\n%s", logs)
		}
	}
}

// SIGHUP's trigger: Reload loads at once, with no event and no debounce, and
// a removal goes live without the settle.
func TestReloadOnRequest(t *testing.T) {
	r := start(t, timing{debounce: time.Hour, settle: time.Hour}, map[string]string{"v.bas": version(1)})
	write(t, filepath.Join(r.dir, "v.bas"), version(2))
	r.w.Reload()
	r.waitBody(t, 5*time.Second, "/v", "2")
	r.waitLog(t, `level=INFO msg="reloading scripts on request"`)
	if err := os.Remove(filepath.Join(r.dir, "v.bas")); err != nil {
		t.Fatal(err)
	}
	r.w.Reload()
	r.waitStatus(t, 5*time.Second, "/v", 404)
}

// A script in a subdirectory made while serving goes live, and later saves
// in it too (the new directory is watched).
func TestSubdirectoryCreatedWhileServing(t *testing.T) {
	r := start(t, fast, map[string]string{"v.bas": version(1)})
	deep := filepath.Join(r.dir, "team", "sales")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	x := func(body string) string { return "ON WEBHOOK GET TO \"/x\" DO\n  PRINT \"" + body + "\"\nEND ON\n" }
	write(t, filepath.Join(deep, "x.bas"), x("x1"))
	r.waitBody(t, 5*time.Second, "/x", "x1")
	time.Sleep(100 * time.Millisecond)
	saveAtomically(t, filepath.Join(deep, "x.bas"), ".x.bas.swp", x("x2"))
	r.waitBody(t, 5*time.Second, "/x", "x2")
}

// A subdirectory moved out of the tree takes its routes with it and is no
// longer watched; made again, it is watched again.
func TestSubdirectoryMovedAwayAndRemade(t *testing.T) {
	x := "ON WEBHOOK GET TO \"/x\" DO\n  PRINT \"x\"\nEND ON\n"
	r := start(t, fast, map[string]string{"v.bas": version(1), "team/deep/x.bas": x})
	r.waitBody(t, time.Second, "/x", "x")
	away := filepath.Join(t.TempDir(), "team")
	if err := os.Rename(filepath.Join(r.dir, "team"), away); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(t, 5*time.Second, "/x", 404)
	time.Sleep(100 * time.Millisecond)
	loads := r.loads.Load()
	write(t, filepath.Join(away, "deep", "x.bas"), x+"' edited away\n")
	time.Sleep(300 * time.Millisecond)
	if n := r.loads.Load(); n != loads {
		t.Errorf("a save in the moved-away directory caused %d load(s)", n-loads)
	}
	if err := os.MkdirAll(filepath.Join(r.dir, "team", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	write(t, filepath.Join(r.dir, "team", "deep", "x.bas"), x)
	r.waitBody(t, 5*time.Second, "/x", "x")
}

// Hidden and temporary names, directories included, neither reload nor load.
func TestHiddenAndTempNamesIgnored(t *testing.T) {
	r := start(t, fast, map[string]string{"v.bas": version(1)})
	loads := r.loads.Load()
	if err := os.MkdirAll(filepath.Join(r.dir, ".git", "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".git/hooks/x.bas", ".v.bas.swp", "v.bas~", "v.bas.tmp", "4913", "sedAb12Cd", "notes.txt"} {
		write(t, filepath.Join(r.dir, filepath.FromSlash(name)), "broken")
	}
	time.Sleep(300 * time.Millisecond)
	if n := r.loads.Load(); n != loads {
		t.Errorf("hidden and temporary files caused %d load(s)", n-loads)
	}
	write(t, filepath.Join(r.dir, ".git", "hooks", "y.bas"), "broken")
	write(t, filepath.Join(r.dir, "v.bas"), version(2))
	r.waitBody(t, 5*time.Second, "/v", "2")
}

func TestRemovedRoutes(t *testing.T) {
	prog := func(routes ...string) *lang.Program {
		var srcs []lang.Source
		for i, r := range routes {
			f := strings.Fields(r)
			srcs = append(srcs, lang.Source{Name: fmt.Sprintf("%d.bas", i),
				Text: []byte("ON WEBHOOK " + f[0] + " TO \"" + f[1] + "\" DO\nEND ON\n")})
		}
		p, err := lang.CheckSources(srcs, table)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name      string
		old, next *lang.Program
		want      string
	}{
		{"no program serving", nil, prog(), ""},
		{"same routes", prog("GET /a", "POST /a"), prog("POST /a", "GET /a"), ""},
		{"added", prog("GET /a"), prog("GET /a", "GET /b"), ""},
		{"parameter renamed", prog("GET /u/:id"), prog("GET /u/:name"), ""},
		{"all removed", prog("GET /b", "GET /a"), prog(), "GET /a, GET /b"},
		{"method changed", prog("GET /a"), prog("POST /a"), "GET /a"},
		{"one removed one added", prog("GET /a", "GET /u/:id"), prog("GET /a", "GET /c"), "GET /u/:id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(RemovedRoutes(tc.old, tc.next), ", "); got != tc.want {
				t.Errorf("RemovedRoutes = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRelevantName(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/s/bot.bas", true},
		{"/s/team/bot.bas", true},
		{"/s/..data", true},
		{"/s/..data_tmp", false},
		{"/s/.bot.bas", false},
		{"/s/bot.bas.swp", false},
		{"/s/notes.txt", false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if got := relevantName(tc.path); got != tc.want {
				t.Errorf("relevantName = %v, want %v", got, tc.want)
			}
		})
	}
}
