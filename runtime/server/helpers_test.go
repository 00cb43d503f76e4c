package server

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gbhook/gbhook/internal/testlog"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// testTable declares the few builtins the server tests need; fakes implements
// them. The real table lives in package builtins. MARK, BOOM, FAIL and WAIT
// take a dummy argument: lang does not parse a zero-argument statement builtin.
var testTable = []lang.Builtin{
	{Name: "PRINT", MinArgs: 0, MaxArgs: lang.Variadic, Stmt: true},
	{Name: "LOG", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "SET RESPONSE HEADER", MinArgs: 2, MaxArgs: 2, Stmt: true},
	{Name: "SET RESPONSE STATUS", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "GET PATH VALUE", MinArgs: 1, MaxArgs: 1},
	{Name: "GET FORM VALUE", MinArgs: 1, MaxArgs: 1},
	{Name: "MARK", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "BOOM", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "FAIL", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "WAIT", MinArgs: 1, MaxArgs: 1, Stmt: true},
}

// fakes holds what the test builtins observe or wait for.
type fakes struct {
	marks   atomic.Int64  // MARK calls: proves whether a handler ran
	entered chan struct{} // WAIT signals here, then blocks until release closes
	release chan struct{}
}

func newFakes() *fakes {
	return &fakes{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

type fakeReg map[string]runtime.BuiltinFunc

func (r fakeReg) Lookup(name string) (runtime.BuiltinFunc, bool) { fn, ok := r[name]; return fn, ok }

func (f *fakes) registry() fakeReg {
	return fakeReg{
		"PRINT": func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			for _, a := range args {
				th.Write(a.String())
			}
			return nil, nil
		},
		"LOG": func(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			th.Logger().Info(args[0].String(), "at", site.P.Short())
			return nil, nil
		},
		"SET RESPONSE HEADER": func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			th.SetHeader(args[0].String(), args[1].String())
			return nil, nil
		},
		"SET RESPONSE STATUS": func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			n, _ := runtime.ParseNumber(args[0].String())
			th.SetStatus(int(n))
			return nil, nil
		},
		"GET PATH VALUE": func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			return runtime.Str(th.Request().PathValue(args[0].String())), nil
		},
		"GET FORM VALUE": func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
			s, err := th.Request().FormValue(args[0].String())
			return runtime.Str(s), err
		},
		"MARK": func(*runtime.Thread, *lang.CallExpr, []runtime.Value) (runtime.Value, error) {
			f.marks.Add(1)
			return nil, nil
		},
		"BOOM": func(*runtime.Thread, *lang.CallExpr, []runtime.Value) (runtime.Value, error) {
			panic("boom: secret-free panic value")
		},
		"FAIL": func(*runtime.Thread, *lang.CallExpr, []runtime.Value) (runtime.Value, error) {
			return nil, errors.New("the builtin failed")
		},
		"WAIT": func(th *runtime.Thread, _ *lang.CallExpr, _ []runtime.Value) (runtime.Value, error) {
			f.entered <- struct{}{}
			select {
			case <-f.release:
			case <-th.Context().Done():
			}
			return nil, nil
		},
	}
}

// machine checks src as t.bas and compiles it against the fakes.
func (f *fakes) machine(t *testing.T, src string, opts runtime.Options) *runtime.Machine {
	t.Helper()
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, testTable)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	m, err := runtime.New(prog, f.registry(), opts)
	if err != nil {
		t.Fatalf("runtime.New: %v", err)
	}
	return m
}

// logBuf collects log output from many goroutines.
type logBuf struct{ testlog.Buffer }

func (l *logBuf) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// env is a fixed environment for Config.Getenv.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// harness is a server over one script with its fakes and log.
type harness struct {
	srv  *Server
	f    *fakes
	logs *logBuf
}

func newHarness(t *testing.T, cfg Config, src string, opts runtime.Options) *harness {
	t.Helper()
	h := &harness{f: newFakes(), logs: &logBuf{}}
	cfg.Logger = h.logs.logger()
	opts.Logger = cfg.Logger
	if cfg.Getenv == nil {
		cfg.Getenv = env()
	}
	h.srv = New(cfg)
	h.srv.Swap(h.f.machine(t, src, opts))
	return h
}

// do serves one request in process and gives status, body and headers.
func (h *harness) do(req *http.Request) (int, string, http.Header) {
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

// countingReader counts the bytes the server pulled from a body.
type countingReader struct {
	n    atomic.Int64
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > c.left {
		n = c.left
	}
	for i := range p[:n] {
		p[i] = 'a'
	}
	c.left -= n
	c.n.Add(n)
	return int(n), nil
}

func req(method, target, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return httptest.NewRequest(method, target, r)
}
