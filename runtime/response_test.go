package runtime

import (
	"context"
	"errors"
	"net/http"
	"net/textproto"
	"testing"

	"golang.org/x/net/http/httpguts"

	"github.com/gbhook/gbhook/lang"
)

func TestHeader(t *testing.T) {
	var h Header
	h.Set("content-type", "text/xml")
	h.Set("X-One", "1")
	h.Set("Content-Type", "application/json") // replaces, keeps its place
	want := Header{{"Content-Type", "application/json"}, {"X-One", "1"}}
	if len(h) != 2 || h[0] != want[0] || h[1] != want[1] {
		t.Fatalf("got %v, want %v", h, want)
	}
	if h.Get("CONTENT-TYPE") != "application/json" || h.Get("x-one") != "1" || h.Get("X-Two") != "" {
		t.Errorf("Get: %q %q %q", h.Get("CONTENT-TYPE"), h.Get("x-one"), h.Get("X-Two"))
	}
	if got := h.HTTP(); len(got) != 2 || got.Get("Content-Type") != "application/json" || got.Get("X-One") != "1" {
		t.Errorf("HTTP: %v", got)
	}
}

// TestExecStepsReusesTheResponse: a Response given again is emptied first;
// only its memory carries over.
func TestExecStepsReusesTheResponse(t *testing.T) {
	f := &frame{}
	long := handler(f, do(bi("SET RESPONSE HEADER", str("X-A"), str("a"))), out(str("<p>a long body</p>")))
	short := handler(&frame{}, out(str("hi")))
	failing := handler(&frame{}, do(bi("SET RESPONSE HEADER", str("X-B"), str("b"))), out(str("partial")), do(bi("FAIL")))
	prog := &lang.Program{Handlers: []*lang.Handler{long, short, failing}, Builtins: testBuiltins}
	m := machineOf(t, prog, testReg, Options{})
	resp := new(Response)
	run := func(h *lang.Handler) error {
		_, _, err := m.ExecSteps(context.Background(), h, &Request{}, "r", resp)
		return err
	}
	if err := run(long); err != nil || string(resp.Body) != "<p>a long body</p>" || resp.Header.Get("X-A") != "a" {
		t.Fatalf("long: %v %q %v", err, resp.Body, resp.Header)
	}
	if err := run(short); err != nil || string(resp.Body) != "hi" || resp.Header.Get("X-A") != "" ||
		resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.Status != http.StatusOK {
		t.Fatalf("short after long: %v %d %q %v", err, resp.Status, resp.Body, resp.Header)
	}
	if err := run(failing); err == nil || len(resp.Body) != 0 || len(resp.Header) != 0 || resp.Status != 0 {
		t.Fatalf("failed run: %v %d %q %v", err, resp.Status, resp.Body, resp.Header)
	}
}

// TestReusedBodyBufferCountsAsNew: PRINT's buffer growth is charged as if the
// body started empty, whatever capacity a reused Response brings, so a
// budget trips at the same PRINT either way.
func TestReusedBodyBufferCountsAsNew(t *testing.T) {
	f := &frame{}
	print := func(line int) lang.Stmt { return do(biAt(at(line, 3), "PRINT", f.v("S$"))) }
	h := handler(f, f.set("S$", str(string(make([]byte, 300)))), print(2), print(3), print(4), print(5))
	m := machine(t, Options{MaxMemory: 1000}, h)
	for _, tc := range []struct {
		name string
		resp *Response
	}{
		{"new response", new(Response)},
		{"reused 1 MiB buffer", &Response{Body: make([]byte, 0, 1<<20)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := m.ExecSteps(context.Background(), h, &Request{}, "r", tc.resp)
			if !errors.Is(err, ErrMemoryBudget) || errString(err) != "t.bas:4:3: memory budget exceeded" {
				t.Fatalf("got %v, want the budget error of the third PRINT", err)
			}
		})
	}
}

// canonicalName is a fast path of textproto.CanonicalMIMEHeaderKey: it must
// give the same name for every input, canonical, not, or not a token.
func TestCanonicalNameIsTextprotos(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"canonical", "Content-Type", "Content-Type"},
		{"a common name, canonical", "Cache-Control", "Cache-Control"},
		{"a common name's length, not canonical", "content-type", "Content-Type"},
		{"a common name's length, one letter off", "Content-TypE", "Content-Type"},
		{"a common name's length, not a token", "Content Type", "Content Type"},
		{"lower", "content-type", "Content-Type"},
		{"upper", "CONTENT-TYPE", "Content-Type"},
		{"digits and dashes", "X-1-Forwarded--for", "X-1-Forwarded--For"},
		{"leading dash", "-a", "-A"},
		{"empty", "", ""},
		{"space: not a token, kept", "content type", "content type"},
		{"colon: not a token, kept", "a:b", "a:b"},
		{"non-ASCII: kept", "x-é", "x-é"},
		{"every token punctuation", "a!#$%&'*+-.^_`|~b", "A!#$%&'*+-.^_`|~b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonicalName(tt.in); got != tt.want {
				t.Errorf("canonicalName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// Every string of up to 3 bytes over letters of both cases, a digit, a
	// dash, token punctuation and bytes that are not token bytes.
	alphabet := []byte("aZz9-_.~ :\x00\x7f\x80\xff")
	var walk func(prefix []byte)
	walk = func(prefix []byte) {
		in := string(prefix)
		if got, want := canonicalName(in), textproto.CanonicalMIMEHeaderKey(in); got != want {
			t.Errorf("canonicalName(%q) = %q, textproto gives %q", in, got, want)
		}
		if len(prefix) == 3 {
			return
		}
		for _, c := range alphabet {
			walk(append(prefix, c))
		}
	}
	walk(nil)
}

// A Response reused from run to run keeps the emptied Thread of its last
// run for the next, instead of the Machine's pool; Exec, whose Response is
// its caller's, keeps none in it.
func TestResponseKeepsItsThreadBetweenRuns(t *testing.T) {
	f := &frame{}
	h := handler(f, f.set("S$", str("a")), out(f.v("S$")))
	m := machine(t, Options{}, h)
	resp := new(Response)
	var first *Thread
	for i := range 3 {
		if _, _, err := m.ExecSteps(context.Background(), h, &Request{}, "r", resp); err != nil || string(resp.Body) != "a" {
			t.Fatalf("run %d: %v %q", i, err, resp.Body)
		}
		th := resp.th
		if th == nil || th.req != nil || th.resp != nil || th.ctx != nil || len(th.stack) != 0 || th.high != 0 ||
			th.steps != 0 || th.mem != 0 || th.stack[:1][0] != nil {
			t.Fatalf("run %d: the Response keeps %+v, want an emptied Thread", i, th)
		}
		if first == nil {
			first = th
		} else if th != first {
			t.Errorf("run %d: the Response's Thread was not the one it kept", i)
		}
	}
	got, _, err := m.Exec(context.Background(), h, &Request{}, "r")
	if err != nil || got.th != nil {
		t.Errorf("Exec: %v, its Response keeps a Thread: %v", err, got.th != nil)
	}
}

// CommonHeaderName vouches for a name's validity and canonical spelling
// (SET RESPONSE HEADER skips both checks for it): every name it takes is a
// valid token that textproto leaves as it is; the same names spelled
// otherwise, or with a byte more, are not taken.
func TestCommonHeaderName(t *testing.T) {
	tests := []struct {
		in     string
		common bool
	}{
		{"Content-Type", true},
		{"Cache-Control", true},
		{"Location", true},
		{"Content-Disposition", true},
		{"content-type", false},
		{"Content-type", false},
		{"Content-Type ", false},
		{"Content Type", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := CommonHeaderName(tt.in)
			if got != tt.common {
				t.Fatalf("CommonHeaderName(%q) = %v, want %v", tt.in, got, tt.common)
			}
			if got && (!httpguts.ValidHeaderFieldName(tt.in) || textproto.CanonicalMIMEHeaderKey(tt.in) != tt.in) {
				t.Errorf("%q is taken but is not a valid canonical name", tt.in)
			}
		})
	}
}
