package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// A request with both Content-Length and Transfer-Encoding is answered 400 and
// its connection closed (RFC 9112 §6.1: a sign of request smuggling). net/http
// deletes Content-Length before a handler sees such a request, so Serve wraps
// each connection to read the header fields as they arrive.

// Scanner limits: net/http's default MaxHeaderBytes plus its slack, and the
// pipelined requests we keep track of.
const (
	maxHeadBytes = http.DefaultMaxHeaderBytes + 4096
	maxPipelined = 32
)

const msgFraming = "bad request: both Content-Length and Transfer-Encoding"

// head is what the scanner saw of one request's header block.
type head struct {
	method, target string
	conflict       bool // both Content-Length and Transfer-Encoding
	last           bool // the scanner cannot follow the body: close after this request
}

// framingListener wraps every accepted connection in a framedConn, except
// TLS ones: net/http must see a *tls.Conn to fill Request.TLS. (gbhook
// serves plain HTTP; TLS ends at a proxy.)
type framingListener struct{ net.Listener }

func (l framingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil
	}
	return &framedConn{Conn: c}, nil
}

type framedConnKey struct{}

// connContext hands the framedConn to the requests served on it.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if fc, ok := c.(*framedConn); ok {
		return context.WithValue(ctx, framedConnKey{}, fc)
	}
	return ctx
}

// framedConn feeds what net/http reads to a scanner. net/http reads the
// whole header block before it calls the handler, so the head is queued by
// then; Read may run concurrently with the handler (background reads).
type framedConn struct {
	net.Conn
	mu sync.Mutex
	sc headScanner
}

func (c *framedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.sc.feed(p[:n])
		c.mu.Unlock()
	}
	return n, err
}

// next is the head of r, and false when the scanner lost track (then the
// connection must close, since later requests could not be checked).
func (c *framedConn) next(r *http.Request) (head, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sc.queue) == 0 {
		c.sc.lost = true
		return head{}, false
	}
	h := c.sc.queue[0]
	c.sc.queue = c.sc.queue[1:]
	if h.method != r.Method || h.target != r.RequestURI {
		c.sc.lost, c.sc.queue = true, nil
		return head{}, false
	}
	return h, true
}

// checkFraming answers a CL+TE request 400, and closes any connection the
// scanner can no longer follow. Without a framedConn (Handler used alone)
// there is nothing to check.
func (s *Server) checkFraming(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		fc, ok := c.Request().Context().Value(framedConnKey{}).(*framedConn)
		if !ok {
			return next(c)
		}
		h, ok := fc.next(c.Request())
		if !ok || h.last {
			c.Response().Header().Set("Connection", "close")
		}
		if h.conflict {
			s.logger(c).Warn("refusing a request with both Content-Length and Transfer-Encoding")
			return plain(c, http.StatusBadRequest, msgFraming)
		}
		return next(c)
	}
}

// headScanner follows HTTP/1.x framing: header blocks, and Content-Length
// bodies between them. It stops (lost) after a chunked body, which only
// happens on a connection that closes after that request.
type headScanner struct {
	lost  bool
	skip  int64  // body bytes still to pass over
	line  []byte // the current, unfinished line
	n     int    // bytes of the current header block
	cur   head
	start bool // the request line was seen
	http1 bool // HTTP/1.0: net/http ignores Transfer-Encoding
	cl    string
	clBad bool // unparsable or disagreeing Content-Length values
	te    bool
	queue []head
}

func (s *headScanner) feed(p []byte) {
	for len(p) > 0 && !s.lost {
		if s.skip > 0 {
			n := min(int64(len(p)), s.skip)
			s.skip -= n
			p = p[n:]
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			i = len(p) - 1 // all of p, no line end yet
		}
		if s.n += i + 1; s.n > maxHeadBytes {
			s.lost = true // net/http answers 431 and closes
			return
		}
		s.line = append(s.line, p[:i+1]...)
		p = p[i+1:]
		if bytes.HasSuffix(s.line, []byte("\n")) {
			s.endLine(string(bytes.TrimRight(s.line, "\r\n")))
			s.line = s.line[:0]
		}
	}
}

func (s *headScanner) endLine(l string) {
	switch {
	case !s.start && l == "":
		s.n = 0 // blank lines before a request are tolerated
	case !s.start:
		method, rest, ok1 := strings.Cut(l, " ")
		target, proto, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 {
			s.lost = true // net/http answers 400 and closes
			return
		}
		s.cur, s.start, s.http1 = head{method: method, target: target}, true, proto == "HTTP/1.0"
	case l == "":
		s.endHead()
	case l[0] == ' ' || l[0] == '\t':
		// obsolete line folding: part of the previous field
	default:
		name, value, _ := strings.Cut(l, ":")
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Length"):
			s.clBad = s.clBad || (s.cl != "" && s.cl != value)
			s.cl = value
		case strings.EqualFold(name, "Transfer-Encoding"):
			s.te = true
		}
	}
}

// endHead queues the finished head and sets up its body.
func (s *headScanner) endHead() {
	h := s.cur
	h.conflict = s.cl != "" && s.te
	var length int64
	for _, c := range s.cl {
		if c < '0' || c > '9' || length > (1<<62)/10 {
			s.clBad = true
			break
		}
		length = length*10 + int64(c-'0')
	}
	chunked := s.te && !s.http1
	h.last = h.conflict || chunked || s.clBad || len(s.queue) >= maxPipelined
	s.queue = append(s.queue, h)
	s.lost, s.skip = h.last, length
	s.cur, s.start, s.http1, s.cl, s.clBad, s.te, s.n = head{}, false, false, "", false, false, 0
}
