package server

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/history"
)

// ErrReplayTruncated refuses to replay a request whose body the history cut.
var ErrReplayTruncated = errors.New("the stored request body was truncated; it cannot be replayed")

// Replay runs a stored request against the current scripts, without
// signature verification and without dedupe, as a new request (new request
// id). Its answer goes to the caller, never to a webhook sender; its SPAWNed
// jobs are queued as usual. The new record, with ReplayOf set to orig's id,
// goes to Config.Observe like any other, and is returned.
func (s *Server) Replay(ctx context.Context, orig *history.Record) (*history.Record, error) {
	if orig.Request == nil {
		return nil, errors.New("the stored request has no request part")
	}
	if orig.Request.Truncated {
		return nil, ErrReplayTruncated
	}
	u, err := url.ParseRequestURI(orig.Path)
	if err != nil {
		return nil, err
	}
	id := rand.Text()
	n := &note{route: "unmatched", reqBody: []byte(orig.Request.Body)}
	start := time.Now()
	status, header := s.replay(ctx, orig, u, id, n)
	rec := s.record(new(recordBox), start, orig.Method, orig.Path, id, orig.Request.Headers, n)
	rec.Status = status
	rec.Response = &history.Message{Status: status, Headers: header}
	replayOf := orig.ID
	rec.ReplayOf = &replayOf
	s.log.Info("replay", "request_id", id, "replay_of", orig.ID, "route", rec.Route, "status", status,
		"steps", rec.Steps, "duration", time.Since(start))
	if s.cfg.Observe != nil {
		s.cfg.Observe(rec)
	}
	return rec, nil
}

// replay matches and runs the request, noting what happened in n, and
// returns the status and headers of its answer.
func (s *Server) replay(ctx context.Context, orig *history.Record, u *url.URL, id string, n *note) (int, http.Header) {
	header := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	t := s.table.Load()
	if t == nil {
		n.respBody = []byte(msgNotFound)
		return http.StatusNotFound, header
	}
	e, params, allow, found := t.match(orig.Method, u.EscapedPath())
	switch {
	case !found:
		n.respBody = []byte(msgNotFound)
		return http.StatusNotFound, header
	case e == nil:
		header.Set("Allow", strings.Join(allow, ", "))
		n.respBody = []byte(msgMethod)
		return http.StatusMethodNotAllowed, header
	}
	n.route = routeLabel(e)
	req := &runtime.Request{Method: orig.Method, Path: u.Path, RawQuery: u.RawQuery,
		Header: orig.Request.Headers.Clone(), Body: n.reqBody, Params: params}
	log := s.log.With("request_id", id, "replay_of", orig.ID)
	rctx, cancel := context.WithTimeout(history.WithRequestID(context.WithoutCancel(ctx), id), s.cfg.HandlerTimeout)
	resp := new(runtime.Response) // its body is kept in the record: not pooled
	jobs, steps, err := s.exec(rctx, nil, log, t.m, e, req, id, resp)
	cancel()
	n.steps, n.err, n.jobs = steps, err, jobs
	if err != nil {
		status := runtime.StatusOf(err)
		if errors.Is(err, errPanic) {
			status = http.StatusInternalServerError
		}
		log.Error("replayed handler failed", "route", n.route, "status", status, "err", err.Error())
		n.respBody = []byte(errorBody(status))
		return status, header
	}
	n.respBody = resp.Body
	if len(jobs) > 0 {
		if s.cfg.Queue == nil {
			log.Error("no job queue configured; the replay's SPAWNed jobs are dropped", "jobs", len(jobs))
		} else if err := s.cfg.Queue.Commit(context.WithoutCancel(ctx), jobs, nil); err != nil {
			log.Error("storing the replay's SPAWNed jobs failed", "jobs", len(jobs), "err", err)
		}
	}
	return resp.Status, resp.Header.HTTP()
}
