package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
)

const errorsSrc = `ON WEBHOOK GET TO "/ok" DO
  PRINT "fine"
END ON
ON WEBHOOK GET TO "/panic" DO
  PRINT "partial"
  BOOM 1
END ON
ON WEBHOOK GET TO "/loop" DO
  WHILE 1 = 1 : WEND
END ON
ON WEBHOOK GET TO "/fail" DO
  FAIL 1
END ON
ON WEBHOOK POST TO "/form" DO
  PRINT GET FORM VALUE("a")
END ON
`

func TestRuntimeErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		opts    runtime.Options
		req     func() *http.Request
		status  int
		body    string
		logWant string // regexp the log must match
	}{
		{"panic in a builtin", Config{}, runtime.Options{}, func() *http.Request { return req("GET", "/panic", "") },
			500, "internal error", `level=ERROR msg="handler panicked" request_id=\S+ route="GET /panic t\.bas:4" panic="boom: secret-free panic value" stack=`},
		{"deadline", Config{HandlerTimeout: 50 * time.Millisecond}, runtime.Options{MaxSteps: 1 << 60},
			func() *http.Request { return req("GET", "/loop", "") },
			503, "service unavailable: handler exceeded its time or step budget",
			`level=ERROR msg="handler failed" request_id=\S+ route="GET /loop t\.bas:8" status=503 err="t\.bas:9:\d+: deadline exceeded"`},
		{"step budget", Config{}, runtime.Options{MaxSteps: 5000}, func() *http.Request { return req("GET", "/loop", "") },
			503, "service unavailable: handler exceeded its time or step budget",
			`msg="handler failed" .*status=503 err="t\.bas:9:\d+: step budget exceeded"`},
		{"builtin error", Config{}, runtime.Options{}, func() *http.Request { return req("GET", "/fail", "") },
			500, "internal error", `msg="handler failed" .*status=500 err="t\.bas:12:3: .*the builtin failed`},
		{"bad form body", Config{}, runtime.Options{}, func() *http.Request {
			r := req("POST", "/form", "a=%zz")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, "bad request", `msg="handler failed" .*status=400 err="t\.bas:15:`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.cfg, errorsSrc, tc.opts)
			status, body, hdr := h.do(tc.req())
			if status != tc.status || body != tc.body {
				t.Errorf("got %d %q, want %d %q", status, body, tc.status, tc.body)
			}
			if ct := hdr.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if !regexp.MustCompile(tc.logWant).MatchString(h.logs.String()) {
				t.Errorf("log does not match %s:\n%s", tc.logWant, h.logs)
			}
			// The server keeps serving.
			if status, body, _ := h.do(req("GET", "/ok", "")); status != 200 || body != "fine" {
				t.Errorf("next request: got %d %q", status, body)
			}
		})
	}
}

func TestPanicOverTheWire(t *testing.T) {
	h := newHarness(t, Config{}, errorsSrc, runtime.Options{})
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	for i, c := range []struct {
		path   string
		status int
		body   string
	}{{"/panic", 500, "internal error"}, {"/ok", 200, "fine"}, {"/panic", 500, "internal error"}, {"/ok", 200, "fine"}} {
		resp, err := http.Get(ts.URL + c.path)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body := readAll(resp)
		resp.Body.Close()
		if resp.StatusCode != c.status || body != c.body {
			t.Errorf("request %d %s: got %d %q, want %d %q", i, c.path, resp.StatusCode, body, c.status, c.body)
		}
	}
}

func TestRequestID(t *testing.T) {
	src := "ON WEBHOOK GET TO \"/log\" DO\n  LOG \"hello\"\n  PRINT \"x\"\nEND ON\n"
	generated := regexp.MustCompile(`^[A-Z2-7]{26}$`)
	tests := []struct {
		name, incoming string
		reused         bool
	}{
		{"none", "", false},
		{"sane incoming reused", "edge-01.abc_XYZ", true},
		{"64 chars reused", strings.Repeat("a", 64), true},
		{"65 chars replaced", strings.Repeat("a", 65), false},
		{"bad characters replaced", "id with spaces", false},
		{"log injection replaced", "x\nlevel=ERROR", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{}, src, runtime.Options{})
			before := len(h.logs.String())
			r := req("GET", "/log", "")
			if tc.incoming != "" {
				r.Header.Set("X-Request-Id", tc.incoming)
			}
			_, _, hdr := h.do(r)
			id := hdr.Get("X-Request-Id")
			if tc.reused && id != tc.incoming {
				t.Errorf("id %q, want the incoming %q", id, tc.incoming)
			}
			if !tc.reused && !generated.MatchString(id) {
				t.Errorf("id %q is not a generated one", id)
			}
			lines := strings.Split(strings.TrimSpace(h.logs.String()[before:]), "\n")
			if len(lines) < 2 {
				t.Fatalf("want the LOG line and the request line, got:\n%s", strings.Join(lines, "\n"))
			}
			for _, l := range lines {
				if !strings.Contains(l, "request_id="+id) {
					t.Errorf("log line without request_id=%s: %s", id, l)
				}
			}
		})
	}
}

// memQueue is a runtime.Queue in memory: it records what was committed and
// what the client had received by then. (The real one is tested in package
// queue and end to end.)
type memQueue struct {
	mu       sync.Mutex
	jobs     []runtime.Job
	keys     map[string]bool
	commits  int
	fail     error
	onCommit func()
}

func (q *memQueue) Commit(_ context.Context, jobs []runtime.Job, keys []string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.commits++
	if q.onCommit != nil {
		q.onCommit()
	}
	if q.fail != nil {
		return q.fail
	}
	if q.keys == nil {
		q.keys = map[string]bool{}
	}
	added := 0
	for _, k := range keys {
		if !q.keys[k] {
			q.keys[k] = true
			added++
		}
	}
	if len(keys) > 0 && added == 0 {
		return runtime.ErrDuplicate
	}
	q.jobs = append(q.jobs, jobs...)
	return nil
}

func (q *memQueue) Handled(_ context.Context, keys []string) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range keys {
		if !q.keys[k] {
			return false, nil
		}
	}
	return len(keys) > 0, nil
}

func TestCommitBeforeAnswer(t *testing.T) {
	src := "SUB NOTIFY X$\n  PRINT X$\nEND SUB\nON WEBHOOK POST TO \"/s\" DO\n  PRINT \"queued\"\n  SPAWN NOTIFY \"hello\"\nEND ON\n" +
		"ON WEBHOOK GET TO \"/open\" DO\n  PRINT \"open\"\nEND ON\n"
	var rec *httptest.ResponseRecorder
	q := &memQueue{}
	var bodyAtCommit string
	q.onCommit = func() { bodyAtCommit = rec.Body.String() + fmt.Sprint(rec.Code) }
	h := newHarness(t, Config{Queue: q}, src, runtime.Options{})

	rec = httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req("POST", "/s", ""))
	if rec.Code != 200 || rec.Body.String() != "queued" {
		t.Fatalf("got %d %q", rec.Code, rec.Body)
	}
	if bodyAtCommit != "200" { // nothing written yet: the recorder's default code
		t.Errorf("the response was written before the commit (client had %q)", bodyAtCommit)
	}
	id := rec.Header().Get("X-Request-Id")
	if len(q.jobs) != 1 || q.jobs[0].Sub != "NOTIFY" || q.jobs[0].Args[0].String() != "hello" ||
		q.jobs[0].RequestID != id || q.jobs[0].Pos.String() != "t.bas:6:3" {
		t.Errorf("jobs = %+v, want one NOTIFY(\"hello\") from t.bas:6:3 with request id %s", q.jobs, id)
	}

	q.fail = errors.New("database is locked")
	rec = httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req("POST", "/s", ""))
	if rec.Code != 503 || rec.Body.String() != msgStore {
		t.Errorf("a failed commit answered %d %q, want 503 %q", rec.Code, rec.Body, msgStore)
	}
	want := `level=ERROR msg="storing the SPAWNed jobs failed; answering 503" request_id=` + rec.Header().Get("X-Request-Id") +
		` route="POST /s t.bas:4" jobs=1 err="database is locked"`
	if !strings.Contains(h.logs.String(), want) {
		t.Errorf("commit failure not logged as %s:\n%s", want, h.logs)
	}

	// A handler without jobs never touches the queue: it answers with the
	// database down.
	commits := q.commits
	rec = httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req("GET", "/open", ""))
	if rec.Code != 200 || rec.Body.String() != "open" || q.commits != commits {
		t.Errorf("open route: %d %q, commits %d -> %d", rec.Code, rec.Body, commits, q.commits)
	}
}

// Without a queue, a SPAWNing handler answers 503 rather than drop its jobs.
func TestSpawnWithoutQueueAnswers503(t *testing.T) {
	src := "SUB NOTIFY X$\n  PRINT X$\nEND SUB\nON WEBHOOK POST TO \"/s\" DO\n  SPAWN NOTIFY \"hello\"\nEND ON\n"
	h := newHarness(t, Config{}, src, runtime.Options{})
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req("POST", "/s", ""))
	if rec.Code != 503 || rec.Body.String() != msgStore {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
}

func TestSwapWhileInFlight(t *testing.T) {
	v1 := "ON WEBHOOK GET TO \"/w\" DO\n  PRINT \"v1 before;\"\n  WAIT 1\n  PRINT \"v1 after\"\nEND ON\n"
	v2 := "ON WEBHOOK GET TO \"/w\" DO\n  PRINT \"v2\"\nEND ON\nON WEBHOOK GET TO \"/new\" DO\n  PRINT \"new\"\nEND ON\n"
	h := newHarness(t, Config{}, v1, runtime.Options{})
	old := h.srv.Machine()

	const inflight = 4
	results := make(chan string, inflight)
	for range inflight {
		go func() {
			_, body, _ := h.do(req("GET", "/w", ""))
			results <- body
		}()
	}
	for range inflight {
		<-h.f.entered
	}
	m2 := h.f.machine(t, v2, runtime.Options{Logger: h.logs.logger()})
	h.srv.Swap(m2)
	if h.srv.Machine() != m2 || h.srv.Machine() == old {
		t.Error("Machine() does not report the swapped-in machine")
	}
	for _, c := range []struct{ path, body string }{{"/w", "v2"}, {"/new", "new"}} {
		if status, body, _ := h.do(req("GET", c.path, "")); status != 200 || body != c.body {
			t.Errorf("after swap %s: got %d %q, want %q", c.path, status, body, c.body)
		}
	}
	close(h.f.release)
	for range inflight {
		if body := <-results; body != "v1 before;v1 after" {
			t.Errorf("in-flight request got %q, want the old program's answer", body)
		}
	}
}
