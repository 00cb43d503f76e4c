package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
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
	// Shift rather than reslice: the queue keeps its array (a reslice
	// would shrink it to nothing, and every request would make a new one).
	c.sc.queue = c.sc.queue[:copy(c.sc.queue, c.sc.queue[1:])]
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
	start bool  // the request line was seen
	http1 bool  // HTTP/1.0: net/http ignores Transfer-Encoding
	cl    int64 // Content-Length, when clSet
	clSet bool
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
			// A line cut by the read: keep its start for the next one.
			if s.n += len(p); s.n > maxHeadBytes {
				s.lost = true // net/http answers 431 and closes
				return
			}
			s.line = append(s.line, p...)
			return
		}
		if s.n += i + 1; s.n > maxHeadBytes {
			s.lost = true
			return
		}
		// A whole line is read where it lies; only a cut one is copied.
		l := p[:i+1]
		if len(s.line) > 0 {
			s.line = append(s.line, l...)
			l = s.line
		}
		p = p[i+1:]
		s.endLine(bytes.TrimRight(l, "\r\n"))
		s.line = s.line[:0]
	}
}

// endLine reads one line of the head. It keeps strings only of what the
// head holds (the request line, Content-Length): the other lines cost no
// allocation.
func (s *headScanner) endLine(l []byte) {
	switch {
	case !s.start && len(l) == 0:
		s.n = 0 // blank lines before a request are tolerated
	case !s.start:
		method, rest, ok1 := bytes.Cut(l, []byte(" "))
		target, proto, ok2 := bytes.Cut(rest, []byte(" "))
		if !ok1 || !ok2 {
			s.lost = true // net/http answers 400 and closes
			return
		}
		s.cur, s.start = head{method: internMethod(method), target: string(target)}, true
		s.http1 = string(proto) == "HTTP/1.0"
	case len(l) == 0:
		s.endHead()
	case l[0] == ' ' || l[0] == '\t':
		// obsolete line folding: part of the previous field
	case l[0]|0x20 != 'c' && l[0]|0x20 != 't':
		// not Content-Length nor Transfer-Encoding
	default:
		name, value, _ := bytes.Cut(l, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseLength(value)
			s.clBad = s.clBad || !ok || (s.clSet && s.cl != n)
			s.cl, s.clSet = n, true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			s.te = true
		}
	}
}

// internMethod spells the common methods without allocating.
func internMethod(m []byte) string {
	for _, k := range []string{http.MethodPost, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if string(m) == k {
			return k
		}
	}
	return string(m)
}

// endHead queues the finished head and sets up its body.
func (s *headScanner) endHead() {
	h := s.cur
	h.conflict = s.clSet && s.te
	chunked := s.te && !s.http1
	h.last = h.conflict || chunked || s.clBad || len(s.queue) >= maxPipelined
	s.queue = append(s.queue, h)
	s.lost, s.skip = h.last, s.cl
	s.cur, s.start, s.http1, s.cl, s.clSet, s.clBad, s.te, s.n = head{}, false, false, 0, false, false, false, 0
}

// parseLength reads a Content-Length value: decimal digits only, as
// net/http accepts it.
func parseLength(v []byte) (int64, bool) {
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, len(v) > 0
}
