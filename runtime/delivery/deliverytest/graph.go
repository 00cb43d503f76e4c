package deliverytest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// GraphRequest is one request the Graph stand-in received.
type GraphRequest struct {
	Method, Path, Authorization, ContentType string
	Body                                     []byte
}

// Reply is a canned Graph API answer.
type Reply struct {
	Status int
	Body   string
}

// Graph is a real HTTP server standing in for the Graph API. It answers each
// request with the next reply, repeating the last one when they run out.
type Graph struct {
	*httptest.Server
	mu      sync.Mutex
	replies []Reply
	reqs    []GraphRequest
	delay   atomic.Int64 // nanoseconds before each answer
}

// SetDelay makes every answer wait d, like a slow Graph API.
func (g *Graph) SetDelay(d time.Duration) { g.delay.Store(int64(d)) }

// NewGraph starts the stand-in, closed at the end of the test.
func NewGraph(t testing.TB, replies ...Reply) *Graph {
	g := &Graph{replies: replies}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	g.mu.Lock()
	g.reqs = append(g.reqs, GraphRequest{Method: r.Method, Path: r.URL.Path,
		Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body})
	reply := Reply{Status: 200, Body: `{"messaging_product":"whatsapp","messages":[{"id":"wamid.TEST"}]}`}
	if n := len(g.reqs); len(g.replies) > 0 {
		reply = g.replies[min(n, len(g.replies))-1]
	}
	g.mu.Unlock()
	if d := g.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d)) // recorded on arrival, answered late
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	_, _ = io.WriteString(w, reply.Body)
}

// Requests returns what arrived so far.
func (g *Graph) Requests() []GraphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GraphRequest(nil), g.reqs...)
}

// WaitFor polls until n requests arrived or the timeout passed.
func (g *Graph) WaitFor(n int, timeout time.Duration) []GraphRequest {
	deadline := time.Now().Add(timeout)
	for {
		got := g.Requests()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}
