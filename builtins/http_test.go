package builtins

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// seen is one request the test API received.
type seen struct {
	Method, Path, ContentType, Auth, Trace string
	Body                                   string
}

// testAPI is a real loopback HTTP server with a few fixed answers.
type testAPI struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []seen
	fails atomic.Int64 // /flaky answers 503 this many times
}

func newTestAPI(t *testing.T) *testAPI {
	a := &testAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *testAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.reqs = append(a.reqs, seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"),
		r.Header.Get("X-Trace"), string(body)})
	a.mu.Unlock()
	switch r.URL.Path {
	case "/user":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"name":"Ana","tags":["vip"],"age":41}`)
	case "/text":
		io.WriteString(w, "plain answer")
	case "/echo":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	case "/flaky":
		if a.fails.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	case "/slow":
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	case "/mid":
		io.WriteString(w, strings.Repeat("y", 2<<20))
	case "/big":
		chunk := strings.Repeat("x", 1<<20)
		for range 10 {
			io.WriteString(w, chunk)
		}
	default:
		w.Header().Set("X-Reason", "no such thing")
		http.Error(w, "not here", http.StatusNotFound)
	}
}

func (a *testAPI) requests() []seen {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seen(nil), a.reqs...)
}

// httpMachine checks src as t.bas and runs it with a real outbound client; GET
// ENV "BASE" gives base.
func httpMachine(t *testing.T, src, base string, cfg delivery.HTTPConfig, tweak ...func(*runtime.Options)) (*runtime.Machine, *goldenEnv) {
	t.Helper()
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
	if err != nil {
		t.Fatal(err)
	}
	env := newGoldenEnv(t, nil)
	deps := env.deps()
	deps.HTTP = delivery.NewHTTPClient(cfg)
	opts := env.options()
	opts.Getenv = func(k string) string {
		if k == "BASE" {
			return base
		}
		return ""
	}
	for _, f := range tweak {
		f(&opts)
	}
	m, err := runtime.New(prog, Registry(deps), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, env
}

func runHandler(t *testing.T, m *runtime.Machine) (string, error) {
	t.Helper()
	resp, _, err := m.Exec(context.Background(), m.Program().Handlers[0], &runtime.Request{Method: "POST", Path: "/t"}, "req-1")
	if err != nil {
		return "", err
	}
	return string(resp.Body), nil
}

var allowPrivate = delivery.HTTPConfig{AllowPrivate: true, Timeout: 5 * time.Second}

func TestHTTPBuiltins(t *testing.T) {
	api := newTestAPI(t)
	tests := []struct {
		name, body string
		want       string
		err        string
		reqs       []seen
	}{
		{"GET of JSON is read by GET JSON PATH", `R = GET GET ENV("BASE") + "/user"
  PRINT GET JSON PATH R, "name"; " "; GET JSON PATH R, "tags[0]"; " "; (GET JSON PATH R, "age") + 1`,
			"Ana vip 42", "", []seen{{Method: "GET", Path: "/user"}}},
		{"GET of text is a string", `PRINT GET GET ENV("BASE") + "/text"`, "plain answer", "",
			[]seen{{Method: "GET", Path: "/text"}}},
		{"POST of JSON is application/json, byte for byte", `R = POST GET ENV("BASE") + "/echo", PARSE JSON("{""a"": [1, 2]}")
  PRINT JSON ENCODE(R)`, `{"a":[1,2]}`, "",
			[]seen{{Method: "POST", Path: "/echo", ContentType: "application/json", Body: `{"a": [1, 2]}`}}},
		{"POST of a JSON SET value arrives as application/json with the exact bytes", `D = JSON SET("", "user.name", "Ana")
  D = JSON APPEND(D, "user.tags", "vip")
  R = POST GET ENV("BASE") + "/echo", D
  PRINT GET JSON PATH(R, "user.tags[0]")`, "vip", "",
			[]seen{{Method: "POST", Path: "/echo", ContentType: "application/json", Body: `{"user":{"name":"Ana","tags":["vip"]}}`}}},
		{"POST of a string is text", `R = POST GET ENV("BASE") + "/echo", "héllo"
  PRINT R`, "héllo", "",
			[]seen{{Method: "POST", Path: "/echo", ContentType: "text/plain; charset=utf-8", Body: "héllo"}}},
		{"SET HEADER chooses the Content-Type", `SET HEADER "Content-Type", "application/x-www-form-urlencoded"
  R = PUT GET ENV("BASE") + "/echo", "a=1"
  PRINT R`, "a=1", "",
			[]seen{{Method: "PUT", Path: "/echo", ContentType: "application/x-www-form-urlencoded", Body: "a=1"}}},
		{"SET HEADER reaches the server, also from a CALLed SUB, and CLEAR HEADERS removes it", `SET HEADER "Authorization", "Bearer T1"
  R = GET GET ENV("BASE") + "/text"
  CALL FETCH
  CLEAR HEADERS
  R = GET GET ENV("BASE") + "/text"`, "", "",
			[]seen{{Method: "GET", Path: "/text", Auth: "Bearer T1"}, {Method: "GET", Path: "/text", Auth: "Bearer T1", Trace: "t-9"},
				{Method: "GET", Path: "/text"}}},
		{"404 is a runtime error at the call, naming method, URL without query and status", `X = 1
  R = GET GET ENV("BASE") + "/nothing?token=SECRET"`, "",
			"t.bas:3:7: GET " + api.URL + "/nothing: HTTP 404 Not Found", []seen{{Method: "GET", Path: "/nothing"}}},
		{"DELETE HTTP 404 names DELETE", `R = DELETE HTTP GET ENV("BASE") + "/gone"`, "",
			"t.bas:2:7: DELETE " + api.URL + "/gone: HTTP 404 Not Found", []seen{{Method: "DELETE", Path: "/gone"}}},
		{"HTTP REQUEST gives the status instead", `R = HTTP REQUEST "get", GET ENV("BASE") + "/nothing", ""
  PRINT GET JSON PATH R, "status"; " "; GET JSON PATH R, "headers.x-reason"; " "; GET JSON PATH R, "body"`,
			"404 no such thing not here\n", "", []seen{{Method: "GET", Path: "/nothing"}}}, // "" data: no body, no Content-Type
		{"HTTP REQUEST with a JSON answer", `R = HTTP REQUEST "PATCH", GET ENV("BASE") + "/echo", PARSE JSON("[true]")
  PRINT GET JSON PATH R, "status"; " "; JSON ENCODE(GET JSON PATH(R, "body"))`,
			"201 [true]", "", []seen{{Method: "PATCH", Path: "/echo", ContentType: "application/json", Body: "[true]"}}},
		{"a bad URL", `R = GET "ftp://x/y?k=secret"`, "", `t.bas:2:7: GET: "ftp://x/y" is not an http(s) URL`, nil},
		{"a bad header name", `SET HEADER "A B", "x"`, "", `t.bas:2:3: SET HEADER: "A B" is not a header name`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api.mu.Lock()
			api.reqs = nil
			api.mu.Unlock()
			src := "ON WEBHOOK POST TO \"/t\" DO\n  " + tc.body + "\nEND ON\nSUB FETCH\n  SET HEADER \"X-Trace\", \"t-9\"\n  R = GET GET ENV(\"BASE\") + \"/text\"\nEND SUB\n"
			m, _ := httpMachine(t, src, api.URL, allowPrivate)
			got, err := runHandler(t, m)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
			} else if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			reqs := api.requests()
			if fmt.Sprint(reqs) != fmt.Sprint(tc.reqs) {
				t.Errorf("server saw\n%+v\nwant\n%+v", reqs, tc.reqs)
			}
		})
	}
}

func TestSetHeaderLineBreak(t *testing.T) {
	m, _ := httpMachine(t, "ON WEBHOOK POST TO \"/t\" DO\n  SET HEADER \"X-A\", GET JSON PATH(\"[\"\"a\\nb\"\"]\", \"0\")\nEND ON\n", "", allowPrivate)
	_, err := runHandler(t, m)
	if want := "t.bas:2:3: SET HEADER: the value of X-A contains a line break or a control character"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// A SPAWNed SUB starts without the headers of the run that spawned it.
func TestSpawnedSubStartsWithoutHeaders(t *testing.T) {
	api := newTestAPI(t)
	src := "ON WEBHOOK POST TO \"/t\" DO\n  SET HEADER \"Authorization\", \"Bearer T1\"\n  SPAWN LATER\nEND ON\n" +
		"SUB LATER\n  R = GET GET ENV(\"BASE\") + \"/text\"\nEND SUB\n"
	m, _ := httpMachine(t, src, api.URL, allowPrivate)
	_, jobs, err := m.Exec(context.Background(), m.Program().Handlers[0], &runtime.Request{Method: "POST", Path: "/t"}, "r")
	if err != nil || len(jobs) != 1 {
		t.Fatal(err, jobs)
	}
	if _, err := m.RunSub(context.Background(), jobs[0]); err != nil {
		t.Fatal(err)
	}
	if got := api.requests(); len(got) != 1 || got[0].Auth != "" {
		t.Errorf("server saw %+v", got)
	}
}

// A 503 in a spawned SUB is transient, so the queue retries the job (by
// delivery.IsTransient, whichever queue runs it), and the job succeeds once the
// server recovers. The retries are made here as a queue makes them.
func TestSpawnedSubRetriesA503(t *testing.T) {
	api := newTestAPI(t)
	api.fails.Store(2)
	src := "SUB LATER\n  R = POST GET ENV(\"BASE\") + \"/flaky\", \"x\"\n  LOG \"got \" & R\nEND SUB\n"
	m, env := httpMachine(t, src, api.URL, allowPrivate)
	var errs []string
	for attempt := 1; ; attempt++ {
		_, err := m.RunSub(context.Background(), runtime.Job{Sub: "LATER", RequestID: "r-5"})
		if err == nil {
			break
		}
		errs = append(errs, err.Error())
		if !delivery.IsTransient(err) || attempt == 5 {
			t.Fatalf("attempt %d: %v (transient %v)", attempt, err, delivery.IsTransient(err))
		}
	}
	want := "t.bas:2:7: POST " + api.URL + "/flaky: HTTP 503 Service Unavailable (transient)"
	if len(errs) != 2 || errs[0] != want || errs[1] != want {
		t.Errorf("errors %q, want twice %q", errs, want)
	}
	if n := len(api.requests()); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
	if log := strings.Join(env.logLines(), "\n"); !strings.Contains(log, `level=INFO msg="got ok" request_id=r-5 at=t.bas:3`) {
		t.Errorf("log:\n%s", log)
	}
}

func TestHTTPBounds(t *testing.T) {
	api := newTestAPI(t)
	tests := []struct {
		name, path string
		cfg        delivery.HTTPConfig
		want       string
	}{
		{"a slow server is cut off at the timeout", "/slow", delivery.HTTPConfig{AllowPrivate: true, Timeout: 300 * time.Millisecond},
			"t.bas:2:7: GET " + api.URL + "/slow: no answer within the timeout: context deadline exceeded (transient)"},
		{"a 10 MiB answer is cut off at the cap", "/big", allowPrivate,
			"t.bas:2:7: GET " + api.URL + "/big: answer body over the size cap of 4194304 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  R = GET GET ENV(\"BASE\") + \"" + tc.path + "\"\nEND ON\n"
			m, _ := httpMachine(t, src, api.URL, tc.cfg)
			start := time.Now()
			_, err := runHandler(t, m)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// An answer counts against the run's memory budget.
func TestHTTPAnswerCountsAgainstMemoryBudget(t *testing.T) {
	api := newTestAPI(t)
	src := "ON WEBHOOK POST TO \"/t\" DO\n  R = GET GET ENV(\"BASE\") + \"/mid\"\nEND ON\n"
	m, _ := httpMachine(t, src, api.URL, allowPrivate, func(o *runtime.Options) { o.MaxMemory = 1 << 20 })
	_, err := runHandler(t, m)
	if want := "t.bas:2:7: memory budget exceeded"; err == nil || err.Error() != want || runtime.StatusOf(err) != 503 {
		t.Fatalf("err = %v, want %q (503)", err, want)
	}
}

// Without GBHOOK_HTTP_ALLOW_PRIVATE a script cannot reach loopback, private or
// link-local addresses, and no connection is made.
func TestHTTPGuardFromScript(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var accepts atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	tests := []struct{ url, want string }{
		{fmt.Sprintf("http://127.0.0.1:%d/x", port), "127.0.0.1 is a loopback address"},
		{fmt.Sprintf("http://localhost:%d/x", port), " is a loopback address"},
		{"http://10.0.0.1/x", "10.0.0.1 is a private address"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
		{fmt.Sprintf("http://[::1]:%d/x", port), "::1 is a loopback address"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  R = GET \"" + tc.url + "\"\nEND ON\n"
			m, _ := httpMachine(t, src, "", delivery.HTTPConfig{Timeout: 5 * time.Second})
			_, err := runHandler(t, m)
			u := tc.url
			if strings.HasPrefix(u, "http://169") {
				u = "http://169.254.169.254/latest/meta-data/"
			}
			prefix := "t.bas:2:7: GET " + u + ": address refused: "
			suffix := tc.want + " (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"
			if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), suffix) {
				t.Fatalf("err = %v, want %q...%q", err, prefix, suffix)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if n := accepts.Load(); n != 0 {
		t.Errorf("listener accepted %d connections", n)
	}
}

func TestHTTPCallLogNeverHasSecrets(t *testing.T) {
	api := newTestAPI(t)
	src := "ON WEBHOOK POST TO \"/t\" DO\n  SET HEADER \"Authorization\", \"Bearer SECRET1\"\n  R = POST GET ENV(\"BASE\") + \"/echo?key=SECRET2\", \"SECRET3\"\nEND ON\n"
	m, env := httpMachine(t, src, api.URL, allowPrivate)
	if _, err := runHandler(t, m); err != nil {
		t.Fatal(err)
	}
	lines := env.logLines()
	if len(lines) != 1 {
		t.Fatalf("log: %q", lines)
	}
	host := strings.TrimPrefix(api.URL, "http://")
	want := `level=INFO msg="http call" request_id=req-1 method=POST host=` + host + ` path=/echo duration_ms=`
	if !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], " at=t.bas:3 status=201") || strings.Contains(lines[0], "SECRET") {
		t.Errorf("log line %q", lines[0])
	}
}

// The run's own deadline cuts a call short of GBHOOK_HTTP_TIMEOUT, and the
// run answers 503 like any run past its deadline.
func TestHTTPCallCutByRunDeadline(t *testing.T) {
	api := newTestAPI(t)
	src := "ON WEBHOOK POST TO \"/t\" DO\n  R = GET GET ENV(\"BASE\") + \"/slow\"\nEND ON\n"
	m, _ := httpMachine(t, src, api.URL, delivery.HTTPConfig{AllowPrivate: true, Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := m.Exec(ctx, m.Program().Handlers[0], &runtime.Request{Method: "POST", Path: "/t"}, "r")
	want := "t.bas:2:7: GET " + api.URL + "/slow: no answer within the timeout: context deadline exceeded (transient)"
	if err == nil || err.Error() != want || runtime.StatusOf(err) != 503 {
		t.Fatalf("err = %v (status %d), want %q (503)", err, runtime.StatusOf(err), want)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %v", d)
	}
}
