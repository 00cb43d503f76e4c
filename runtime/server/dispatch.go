package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/signature"
)

// Error bodies: one short plain-text line each, never a detail of the cause.
const (
	msgNotFound   = "not found"
	msgMethod     = "method not allowed"
	msgTooLarge   = "request body too large"
	msgForbidden  = "forbidden"
	msgBadRequest = "bad request"
	msgBudget     = "service unavailable: handler exceeded its time, step or memory budget"
	msgInternal   = "internal error"
	msgStore      = "service unavailable: could not store the work; retry later"
)

// errPanic marks a handler run that panicked (500).
var errPanic = errors.New("handler panicked")

// dispatch is the one echo route: look up the current table, check size and
// signature, skip a redelivery, run the handler, commit its SPAWNs, answer.
func (s *Server) dispatch(c echo.Context) error {
	r := c.Request()
	if r.URL.Path == lang.HealthPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return plain(c, http.StatusOK, "ok")
	}
	t := s.table.Load()
	if t == nil {
		return plain(c, http.StatusNotFound, msgNotFound)
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet // HEAD answers as GET would, without the body
	}
	e, params, allow, found := t.match(method, r.URL.EscapedPath())
	switch {
	case !found:
		return plain(c, http.StatusNotFound, msgNotFound)
	case e == nil:
		c.Response().Header().Set("Allow", strings.Join(allow, ", "))
		return plain(c, http.StatusMethodNotAllowed, msgMethod)
	}
	n := noteOf(c)
	if n != nil {
		n.route = routeLabel(e)
	}
	// Refuse an announced oversize body before touching it.
	if r.ContentLength > s.cfg.MaxBody {
		return plain(c, http.StatusRequestEntityTooLarge, msgTooLarge)
	}
	secret := ""
	if e.secretEnv != "" {
		if secret = s.cfg.Getenv(e.secretEnv); secret == "" {
			s.logger(c).Error("secret not set; refusing signed route", "route", e.h.RouteString(), "env", e.secretEnv)
			return plain(c, http.StatusServiceUnavailable, "service unavailable: "+e.secretEnv+" is not set")
		}
	}
	var body []byte // a GET's, and any with Content-Length: 0
	var err error
	if r.ContentLength != 0 {
		body, err = readBody(http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBody), min(r.ContentLength, s.cfg.MaxBody))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return plain(c, http.StatusRequestEntityTooLarge, msgTooLarge)
		}
		s.logger(c).Warn("reading request body", "err", err)
		return plain(c, http.StatusBadRequest, msgBadRequest)
	}
	if n != nil {
		n.reqBody = body
	}
	if e.verify != nil {
		if err := e.verify(&s.cfg, r, secret, body); err != nil {
			return s.refuse(c, e, err)
		}
	}
	keys, dup, err := s.seen(c, e, body)
	switch {
	case err != nil:
		s.logger(c).Error("dedupe lookup failed; answering 503", "route", e.h.RouteString(), "err", err)
		return plain(c, http.StatusServiceUnavailable, msgStore)
	case dup:
		if n != nil {
			n.duplicate = true
		}
		s.logger(c).Info("duplicate delivery: every event was handled before; not run",
			"route", e.h.RouteString(), "events", len(keys))
		return plain(c, http.StatusOK, "")
	}
	req := &runtime.Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header, Body: body, Params: params,
	}
	return s.run(c, t.m, e, req, keys)
}

// seen gives a signed delivery's dedupe keys, scoped by route, and whether
// every one was handled before. Unsigned routes are never deduplicated.
func (s *Server) seen(c echo.Context, e *entry, body []byte) (keys []string, dup bool, err error) {
	if e.keys == nil || s.cfg.Queue == nil {
		return nil, false, nil
	}
	keys = e.keys(c.Request(), body)
	if len(keys) == 0 {
		return nil, false, nil
	}
	// Scoped by route, not by file:line: editing the script keeps the keys.
	scope := e.h.Method + " " + e.h.Path + " " + e.h.From.String() + " "
	for i, k := range keys {
		keys[i] = scope + k
	}
	dup, err = s.cfg.Queue.Handled(c.Request().Context(), keys)
	return keys, dup, err
}

// refuse answers a failed signature check: 400 when the body could not be
// decoded for signing, else 403. Nothing runs.
func (s *Server) refuse(c echo.Context, e *entry, err error) error {
	s.logger(c).Warn("signature check failed", "route", e.h.RouteString(), "err", err)
	if errors.Is(err, signature.ErrMalformed) {
		return plain(c, http.StatusBadRequest, msgBadRequest)
	}
	return plain(c, http.StatusForbidden, msgForbidden)
}

// run executes the handler under the deadline, commits its jobs (and the
// delivery's dedupe keys), and only then writes its response.
func (s *Server) run(c echo.Context, m *runtime.Machine, e *entry, req *runtime.Request, keys []string) error {
	rid := requestIDOf(c)
	var ctx *deadlineCtx // deadline.go
	if rc, ok := c.(*reqCtx); ok {
		ctx = &rc.dl // no allocation of its own
	} else {
		ctx = new(deadlineCtx)
	}
	ctx.init(c.Request().Context(), time.Now().Add(s.cfg.HandlerTimeout), rid)
	resp := responses.Get().(*runtime.Response)
	defer putResponse(resp)
	jobs, steps, err := s.exec(ctx, c, nil, m, e, req, rid, resp)
	ctx.cancel()
	if n := noteOf(c); n != nil {
		n.steps, n.err, n.jobs = steps, err, jobs
		if err == nil && s.cfg.Observe != nil && !n.unkept {
			n.respBody = bytes.Clone(resp.Body) // resp goes back to the pool
		}
	}
	if err != nil {
		status := runtime.StatusOf(err)
		if errors.Is(err, errPanic) {
			status = http.StatusInternalServerError
		}
		level := slog.LevelError
		if status == http.StatusBadRequest {
			level = slog.LevelWarn // the client's fault, not ours
		}
		// A runtime error prints as file:line:col: message; safe to log.
		s.logger(c).Log(c.Request().Context(), level, "handler failed",
			"route", e.h.RouteString(), "status", status, "err", err.Error())
		return plain(c, status, errorBody(status))
	}
	if resp.Status < 200 || resp.Status > 299 {
		keys = nil // a failed run is never remembered: the redelivery runs
	}
	if len(jobs) > 0 || len(keys) > 0 {
		if err := s.commit(c, jobs, keys); errors.Is(err, runtime.ErrDuplicate) {
			if n := noteOf(c); n != nil {
				n.duplicate, n.jobs = true, nil
			}
			s.logger(c).Info("duplicate delivery: a concurrent copy was handled first; its jobs are dropped",
				"route", e.h.RouteString(), "jobs", len(jobs))
			return plain(c, http.StatusOK, "")
		} else if err != nil {
			s.logger(c).Error("storing the SPAWNed jobs failed; answering 503", "route", e.h.RouteString(),
				"jobs", len(jobs), "err", err.Error())
			return plain(c, http.StatusServiceUnavailable, msgStore)
		}
	}
	writeResponse(c, resp)
	return nil
}

// exec runs the handler, turning a panic anywhere below it into errPanic.
// The panic is logged to log, or when log is nil to c's request logger (made
// only then: most runs never need it).
func (s *Server) exec(ctx context.Context, c echo.Context, log *slog.Logger, m *runtime.Machine, e *entry,
	req *runtime.Request, id string, resp *runtime.Response) (jobs []runtime.Job, steps int, err error) {
	defer func() {
		if p := recover(); p != nil {
			if log == nil {
				log = s.logger(c)
			}
			log.Error("handler panicked", "route", e.h.RouteString(),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			jobs, err = nil, fmt.Errorf("%s: %w", e.h.P.String(), errPanic)
		}
	}()
	return m.ExecSteps(ctx, e.h, req, id, resp)
}

// responses are the runs' response buffers, reused between requests.
var responses = sync.Pool{New: func() any { return new(runtime.Response) }}

// maxPooledBody is the largest body buffer kept for the next request: a rare
// big answer does not pin its memory.
const maxPooledBody = 64 << 10

// putResponse returns resp to the pool once the answer is written (a
// ResponseWriter keeps no slice given to Write).
func putResponse(resp *runtime.Response) {
	if cap(resp.Body) > maxPooledBody {
		resp.Body = nil
	}
	responses.Put(resp)
}

func errorBody(status int) string {
	switch status {
	case http.StatusBadRequest:
		return msgBadRequest
	case http.StatusServiceUnavailable:
		return msgBudget
	default:
		return msgInternal
	}
}

// writeResponse sends the buffered response: script headers, status, body
// (none for HEAD, but the Content-Length GET would have).
func writeResponse(c echo.Context, resp *runtime.Response) {
	h := c.Response().Header()
	// One slice holds every value: the map outlives resp (the history reads
	// it after the answer), so the values cannot live in resp's memory.
	vals := make([]string, len(resp.Header))
	for i, f := range resp.Header {
		vals[i] = f.Value
		h[f.Name] = vals[i : i+1 : i+1]
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	c.Response().WriteHeader(resp.Status)
	if len(resp.Body) > 0 && c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(resp.Body)
	}
}

// commit stores jobs and keys in one transaction. A client hanging up must
// not leave it half done, hence WithoutCancel; the handler deadline bounds it.
func (s *Server) commit(c echo.Context, jobs []runtime.Job, keys []string) error {
	if s.cfg.Queue == nil {
		return errors.New("no job queue configured")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), s.cfg.HandlerTimeout)
	defer cancel()
	return s.cfg.Queue.Commit(ctx, jobs, keys)
}

// plain answers one short plain-text line (for HEAD, only its headers).
func plain(c echo.Context, status int, msg string) error {
	if n := noteOf(c); n != nil {
		n.respBody = []byte(msg)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write([]byte(msg))
	return err
}

// readBody is io.ReadAll with its first buffer sized from Content-Length
// (size, -1 when unknown), so that a body of known length is read without
// regrowing the buffer. Past presizeMax it grows as it reads: a declared
// length is not worth memory before the bytes arrive.
const presizeMax = 64 << 10

func readBody(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, max(min(size, presizeMax)+1, 512))
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow, as ReadAll does
		}
	}
}
