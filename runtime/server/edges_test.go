package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
)

// serve runs h's server on a loopback listener until the test ends and
// returns its address.
func (h *harness) serve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// rawConn is one client connection that writes bytes as they are.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

// read reads one response to a request of the given method, with its body.
func (c *rawConn) read(t *testing.T, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(b)
}

// closed reports whether the server has closed the connection: nothing more
// arrives, only EOF.
func (c *rawConn) closed() bool {
	n, err := c.br.Read(make([]byte, 1))
	return n == 0 && errors.Is(err, io.EOF)
}

const headSrc = routingSrc + `ON WEBHOOK GET TO "/created" DO
  SET RESPONSE STATUS TO 201
  SET RESPONSE HEADER "X-Foo" TO "bar"
  PRINT "made it"
END ON
`

// HEAD answers what GET would, headers and Content-Length included, with no
// body: a GET sent right after on the same connection reads cleanly only if
// no body bytes followed the HEAD answer.
func TestHEADOverTheWire(t *testing.T) {
	h := newHarness(t, Config{}, headSrc, runtime.Options{})
	addr := h.serve(t)
	compared := []string{"Content-Length", "Content-Type", "X-Content-Type-Options", "X-Foo", "Allow"}
	tests := []struct {
		name, target string
		status       int
		getBody      string
		header       map[string]string
	}{
		{"healthz", "/healthz", 200, "ok",
			map[string]string{"Content-Length": "2", "Content-Type": "text/plain; charset=utf-8"}},
		{"GET script route", "/a", 200, "get a", map[string]string{"Content-Length": "5"}},
		{"GET route with a param", "/bots/b1/hook", 200, "bot=b1", map[string]string{"Content-Length": "6"}},
		{"script status and headers", "/created", 201, "made it",
			map[string]string{"Content-Length": "7", "X-Foo": "bar"}},
		{"POST-only route", "/status", 405, "method not allowed",
			map[string]string{"Content-Length": "18", "Allow": "POST"}},
		{"unknown path", "/nope", 404, "not found", map[string]string{"Content-Length": "9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			_, _ = io.WriteString(c, "HEAD "+tc.target+" HTTP/1.1\r\nHost: x\r\n\r\n"+
				"GET "+tc.target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			head, headBody := c.read(t, "HEAD")
			get, getBody := c.read(t, "GET")
			if head.StatusCode != tc.status || headBody != "" {
				t.Errorf("HEAD: got %d %q, want %d with no body", head.StatusCode, headBody, tc.status)
			}
			if get.StatusCode != tc.status || getBody != tc.getBody {
				t.Errorf("GET: got %d %q, want %d %q", get.StatusCode, getBody, tc.status, tc.getBody)
			}
			for k, v := range tc.header {
				if got := head.Header.Get(k); got != v {
					t.Errorf("HEAD header %s = %q, want %q", k, got, v)
				}
			}
			for _, k := range compared {
				if hv, gv := head.Header.Get(k), get.Header.Get(k); hv != gv {
					t.Errorf("header %s: HEAD %q, GET %q", k, hv, gv)
				}
			}
		})
	}
}

const framingSrc = `ON WEBHOOK POST TO "/a" DO
  MARK 1
  PRINT "post a"
END ON
ON WEBHOOK GET TO "/g" DO
  PRINT "get g"
END ON
`

// Answer expected on a raw connection, in order.
type rawAnswer struct {
	status int
	body   string
	close  bool // Connection: close
}

// RFC 9112 §6.1: a request with both Content-Length and Transfer-Encoding is
// answered 400 and its connection closed. net/http hides the conflict from
// handlers (it drops Content-Length), hence the raw socket.
func TestContentLengthWithTransferEncoding(t *testing.T) {
	const refused = "bad request: both Content-Length and Transfer-Encoding"
	smuggled := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
	tests := []struct {
		name    string
		send    string
		answers []rawAnswer
		marks   int64 // handler runs
	}{
		{"Content-Length then Transfer-Encoding",
			"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			[]rawAnswer{{400, refused, true}}, 0},
		{"Transfer-Encoding then Content-Length, any case",
			"POST /a HTTP/1.1\r\nHost: x\r\ntransfer-encoding: CHUNKED\r\ncontent-length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			[]rawAnswer{{400, refused, true}}, 0},
		{"on healthz too",
			"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			[]rawAnswer{{400, refused, true}}, 0},
		{"HTTP/1.0, where net/http ignores Transfer-Encoding",
			"POST /a HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
			[]rawAnswer{{400, refused, true}}, 0},
		{"second request on a kept-alive connection",
			"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
				"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			[]rawAnswer{{200, "post a", false}, {400, refused, true}}, 1},
		{"Content-Length alone keeps the connection",
			"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + "GET /g HTTP/1.1\r\nHost: x\r\n\r\n",
			[]rawAnswer{{200, "post a", false}, {200, "get g", false}}, 1},
		{"a body that looks like a refused request is only a body",
			"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled +
				"GET /g HTTP/1.1\r\nHost: x\r\n\r\n",
			[]rawAnswer{{200, "post a", false}, {200, "get g", false}}, 1},
		{"chunked alone is served, then the connection closes",
			"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			[]rawAnswer{{200, "post a", true}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{}, framingSrc, runtime.Options{})
			c := dialRaw(t, h.serve(t))
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			for i, want := range tc.answers {
				resp, body := c.read(t, "POST")
				if resp.StatusCode != want.status || body != want.body || resp.Close != want.close {
					t.Errorf("answer %d: got %d %q close=%v, want %d %q close=%v",
						i, resp.StatusCode, body, resp.Close, want.status, want.body, want.close)
				}
			}
			if last := tc.answers[len(tc.answers)-1]; last.close && !c.closed() {
				t.Error("the server did not close the connection")
			}
			if n := h.f.marks.Load(); n != tc.marks {
				t.Errorf("handler ran %d times, want %d", n, tc.marks)
			}
			refusals := strings.Count(h.logs.String(),
				`level=WARN msg="refusing a request with both Content-Length and Transfer-Encoding"`)
			if want := strings.Count(strings.Join(answerBodies(tc.answers), "\n"), refused); refusals != want {
				t.Errorf("got %d WARN refusal lines, want %d:\n%s", refusals, want, h.logs)
			}
		})
	}
}

func answerBodies(as []rawAnswer) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.body)
	}
	return out
}

// errReader fails mid-body, like a client that hangs up while sending.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// A 400 is the client's doing and logs at WARN; a 500 is ours and logs at ERROR.
func TestClientErrorsLogAtWarn(t *testing.T) {
	twilioForm := func(body string) func() *http.Request {
		return func() *http.Request { return twilioReq(token, "http://example.com/voice?x=1", body) }
	}
	tests := []struct {
		name   string
		src    string
		req    func() *http.Request
		status int
		line   string // the whole level and message of the line logged for it
	}{
		{"bad form body read by the script", errorsSrc, func() *http.Request {
			r := req("POST", "/form", "a=%zz")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, `level=WARN msg="handler failed"`},
		{"malformed form on a signed route", signedSrc, twilioForm("From=%zz"), 400,
			`level=WARN msg="signature check failed"`},
		{"body cut off while reading", errorsSrc, func() *http.Request {
			r := req("POST", "/form", "")
			r.Body = io.NopCloser(errReader{})
			r.ContentLength = -1
			return r
		}, 400, `level=WARN msg="reading request body"`},
		{"a builtin's failure is ours", errorsSrc, func() *http.Request { return req("GET", "/fail", "") },
			500, `level=ERROR msg="handler failed"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{Getenv: env(TwilioSecretEnv, token, MetaSecretEnv, appSecret)}, tc.src, runtime.Options{})
			if status, _, _ := h.do(tc.req()); status != tc.status {
				t.Fatalf("got %d, want %d", status, tc.status)
			}
			var got []string
			for _, l := range strings.Split(h.logs.String(), "\n") {
				if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
					_, rest, _ := strings.Cut(l, " ") // drop time=
					lvl, rest, _ := strings.Cut(rest, " ")
					msg, _, _ := strings.Cut(strings.TrimPrefix(rest, "msg="), ` request_id=`)
					got = append(got, lvl+" msg="+msg)
				}
			}
			if strings.Join(got, "\n") != tc.line {
				t.Errorf("WARN and ERROR lines:\n%s\nwant only:\n%s\nlog:\n%s", strings.Join(got, "\n"), tc.line, h.logs)
			}
		})
	}
}
