package server

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/history"
	"github.com/gbhook/gbhook/runtime/metrics"
)

// note is what dispatch learns about a request, for its log line and for
// Config.Observe.
type note struct {
	route     string // METHOD /pattern, or metrics.Unmatched
	reqBody   []byte
	respBody  []byte
	steps     int
	err       error
	jobs      []runtime.Job
	duplicate bool // a redelivery: not run, or its jobs dropped
	unkept    bool // the history has no room for it: copy nothing
}

func noteOf(c echo.Context) *note {
	if rc, ok := c.(*reqCtx); ok {
		return &rc.note
	}
	return nil
}

// routeLabel is a handler's bounded route name: METHOD /pattern.
func routeLabel(e *entry) string { return e.label }

// observe keeps a note of the request and, once it is answered, hands a
// history record to Config.Observe (never for /healthz).
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		n := noteOf(c)
		if n == nil { // observe alone, without requestID
			n = &note{route: metrics.Unmatched}
		}
		n.unkept = s.cfg.Room != nil && !s.cfg.Room()
		start := time.Now()
		err := next(c)
		if err != nil {
			s.errorHandler(err, c)
		}
		r := c.Request()
		if s.cfg.Observe == nil || r.URL.Path == "/healthz" {
			return nil
		}
		// A record the history will not keep is only counted (Config.Observe):
		// it is lent from a pool, and carries no path.
		var box *recordBox
		target := ""
		if n.unkept {
			box = unkeptBoxes.Get().(*recordBox)
		} else {
			box, target = new(recordBox), r.URL.RequestURI()
		}
		rec := s.record(box, start, r.Method, target, requestIDOf(c), r.Header, n)
		// The response's header map is not cloned either once the answer is
		// written: it belongs to this request's http.ResponseWriter, and
		// nothing writes it after (the recorder copies it as it redacts, on
		// its own goroutine).
		rec.Response.Status, rec.Response.Headers = c.Response().Status, c.Response().Header()
		if !c.Response().Committed { // net/http's WriteHeader may still edit it
			rec.Response.Headers = rec.Response.Headers.Clone()
		}
		rec.Status = c.Response().Status
		s.cfg.Observe(rec)
		if n.unkept {
			*box = recordBox{}
			unkeptBoxes.Put(box)
		}
		return nil
	}
}

// recordBox is one allocation for a record and its two messages.
type recordBox struct {
	rec       history.Record
	req, resp history.Message
}

// unkeptBoxes lend boxes to the records of requests the history has no room
// for: under a flood, most requests.
var unkeptBoxes = sync.Pool{New: func() any { return new(recordBox) }}

// record builds the history record of a finished request from its note.
// Bodies stay raw: the recorder caps and redacts them off the request path.
func (s *Server) record(box *recordBox, start time.Time, method, target, id string, h http.Header, n *note) *history.Record {
	box.req.Headers = h
	rec := &box.rec
	*rec = history.Record{
		Time: start.UTC(), Method: method, Path: target, Route: n.route, RequestID: id,
		DurationMS: float64(time.Since(start).Microseconds()) / 1000, Steps: n.steps,
		// The request's headers are not cloned: nothing writes them once it
		// is answered (the recorder copies them as it redacts).
		Request: &box.req, Response: &box.resp, ReqBody: n.reqBody, RespBody: n.respBody,
		Logs: []history.Log{}, Deliveries: []history.Delivery{}, Duplicate: n.duplicate, Unkept: n.unkept,
	}
	if n.err != nil {
		rec.Error = n.err.Error()
		var re *runtime.Error
		if errors.As(n.err, &re) {
			rec.ErrorPos = &history.ErrorAt{File: re.Pos.File, Line: re.Pos.Line, Col: re.Pos.Col}
		}
	}
	rec.Jobs = make([]history.Job, len(n.jobs))
	for i, j := range n.jobs {
		rec.Jobs[i] = history.Job{Sub: j.Sub, State: history.JobQueued, Time: rec.Time}
	}
	return rec
}
