package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Hub fans events out to the open /api/events streams. A stream too slow to
// keep up loses events rather than slowing anyone down.
type Hub struct {
	mu     sync.Mutex
	subs   map[chan sse]struct{}
	closed bool
}

type sse struct {
	kind string
	data []byte
}

// NewHub makes an empty hub.
func NewHub() *Hub { return &Hub{subs: map[chan sse]struct{}{}} }

// Publish sends one event of kind (request, reload, job) with v as JSON data.
func (h *Hub) Publish(kind string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- sse{kind, data}:
		default:
		}
	}
}

func (h *Hub) subscribe() chan sse {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := make(chan sse, 256)
	if h.closed {
		close(c)
		return c
	}
	h.subs[c] = struct{}{}
	return c
}

func (h *Hub) unsubscribe(c chan sse) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[c]; ok {
		delete(h.subs, c)
		close(c)
	}
}

// Close ends every stream (at shutdown).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.subs {
		delete(h.subs, c)
		close(c)
	}
}

// heartbeat keeps proxies from closing an idle stream.
const heartbeat = 15 * time.Second

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	c := s.cfg.Events.subscribe()
	defer s.cfg.Events.unsubscribe(c)
	if _, err := fmt.Fprint(w, ": gbhook events\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		case e, ok := <-c:
			if !ok {
				return
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.kind, e.data); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}
