package server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
)

const routingSrc = `ON WEBHOOK GET TO "/" DO
  PRINT "root"
END ON
ON WEBHOOK GET TO "/a" DO
  PRINT "get a"
END ON
ON WEBHOOK POST TO "/a" DO
  PRINT "post a"
END ON
ON WEBHOOK GET TO "/bots/:bot/hook" DO
  PRINT "bot="; GET PATH VALUE("bot")
END ON
ON WEBHOOK GET TO "/bots/new/hook" DO
  PRINT "static new"
END ON
ON WEBHOOK DELETE TO "/bots/:id/:what" DO
  PRINT "del "; GET PATH VALUE("id"); " "; GET PATH VALUE("what")
END ON
ON WEBHOOK POST TO "/status" DO
  SET RESPONSE STATUS TO 201
  SET RESPONSE HEADER "X-Foo" TO "bar"
  SET RESPONSE HEADER "Content-Type" TO "application/json"
  PRINT "{}"
END ON
`

func TestRouting(t *testing.T) {
	h := newHarness(t, Config{}, routingSrc, runtime.Options{})
	tests := []struct {
		name, method, target string
		status               int
		body                 string
		header               map[string]string
	}{
		{"healthz", "GET", "/healthz", 200, "ok", map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{"root", "GET", "/", 200, "root", nil},
		{"static GET", "GET", "/a", 200, "get a", nil},
		{"static POST", "POST", "/a", 200, "post a", nil},
		{"query ignored for routing", "GET", "/a?x=1&y=2", 200, "get a", nil},
		{"unknown path", "GET", "/nope", 404, "not found", map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{"trailing slash is another path", "GET", "/a/", 404, "not found", nil},
		{"healthz only for GET", "POST", "/healthz", 404, "not found", nil},
		{"other method", "PUT", "/a", 405, "method not allowed", map[string]string{"Allow": "GET, POST"}},
		{"method outside echo's list", "FOO", "/a", 405, "method not allowed", map[string]string{"Allow": "GET, POST"}},
		{"path param", "GET", "/bots/b1/hook", 200, "bot=b1", nil},
		{"encoded slash stays in its param", "GET", "/bots/x%2Fy/hook", 200, "bot=x/y", nil},
		{"static beats param", "GET", "/bots/new/hook", 200, "static new", nil},
		{"two params", "DELETE", "/bots/7/hook", 200, "del 7 hook", nil},
		{"405 lists methods of every matching pattern", "POST", "/bots/b1/hook", 405, "method not allowed",
			map[string]string{"Allow": "DELETE, GET"}},
		{"script status and headers", "POST", "/status", 201, "{}",
			map[string]string{"X-Foo": "bar", "Content-Type": "application/json", "Content-Length": "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, hdr := h.do(req(tc.method, tc.target, ""))
			if status != tc.status || body != tc.body {
				t.Errorf("got %d %q, want %d %q", status, body, tc.status, tc.body)
			}
			for k, v := range tc.header {
				if got := hdr.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestNoProgramYet(t *testing.T) {
	s := New(Config{Logger: (&logBuf{}).logger()})
	for _, target := range []string{"/a", "/healthz"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req("GET", target, ""))
		want := map[string]int{"/a": 404, "/healthz": 200}[target]
		if rec.Code != want {
			t.Errorf("%s: got %d, want %d", target, rec.Code, want)
		}
	}
	if s.Machine() != nil {
		t.Error("Machine() before Swap should be nil")
	}
}

func TestBodyLimit(t *testing.T) {
	const size = 5_000_000
	h := newHarness(t, Config{}, routingSrc, runtime.Options{})
	tests := []struct {
		name          string
		contentLength int64 // -1: unknown length (chunked)
		maxRead       int64
	}{
		{"announced length refused unread", size, 0},
		{"chunked body stopped at the limit", -1, DefaultMaxBody + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingReader{left: size}
			r := httptest.NewRequest("POST", "/a", body)
			r.ContentLength = tc.contentLength
			status, got, _ := h.do(r)
			if status != 413 || got != "request body too large" {
				t.Errorf("got %d %q, want 413 %q", status, got, "request body too large")
			}
			if n := body.n.Load(); n > tc.maxRead {
				t.Errorf("server read %d bytes of the body, want at most %d", n, tc.maxRead)
			}
		})
	}
	t.Run("over the wire, answered before the body is sent", func(t *testing.T) {
		ts := httptest.NewServer(h.srv.Handler())
		defer ts.Close()
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		// Announce 5 MB, send only 64 KiB, then wait for the answer.
		fmt.Fprintf(conn, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
		if _, err := conn.Write(make([]byte, 64<<10)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("got %d, want 413", resp.StatusCode)
		}
	})
	t.Run("at the limit is fine", func(t *testing.T) {
		small := newHarness(t, Config{MaxBody: 10}, routingSrc, runtime.Options{})
		if status, body, _ := small.do(req("POST", "/a", "0123456789")); status != 200 || body != "post a" {
			t.Errorf("got %d %q", status, body)
		}
		if status, _, _ := small.do(req("POST", "/a", "0123456789x")); status != 413 {
			t.Errorf("11 bytes over a 10-byte limit: got %d, want 413", status)
		}
	})
}

func TestShutdownDrainsInFlight(t *testing.T) {
	src := "SUB NOTE X$\n  PRINT X$\nEND SUB\nON WEBHOOK GET TO \"/w\" DO\n  WAIT 1\n  PRINT \"done\"\n  SPAWN NOTE \"x\"\nEND ON\n"
	q := &memQueue{}
	h := newHarness(t, Config{Queue: q}, src, runtime.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- h.srv.Serve(ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/w")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b := new(strings.Builder)
		_, err = fmt.Fprint(b, readAll(resp))
		got <- result{resp.StatusCode, b.String(), err}
	}()
	<-h.f.entered
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- h.srv.Shutdown(ctx)
	}()
	time.Sleep(50 * time.Millisecond) // let Shutdown close the listener first
	close(h.f.release)
	if r := <-got; r.err != nil || r.status != 200 || r.body != "done" {
		t.Errorf("in-flight request: got %d %q %v, want 200 \"done\"", r.status, r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if len(q.jobs) != 1 {
		t.Errorf("jobs queued before Shutdown returned: %d, want 1", len(q.jobs))
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if !strings.Contains(h.logs.String(), "msg=listening addr=127.0.0.1:") {
		t.Errorf("no listen line in log:\n%s", h.logs)
	}
}

func readAll(resp *http.Response) string {
	b := new(strings.Builder)
	buf := make([]byte, 512)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
