package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gbhook/gbhook/runtime/history"
)

// List limits of GET /api/requests.
const (
	defaultLimit = 50
	maxLimit     = 500
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// intParam reads an optional non-negative integer query parameter.
func intParam(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("bad " + name + " " + strconv.Quote(v) + ": want a non-negative integer")
	}
	return n, nil
}

func (s *Server) filter(r *http.Request) (history.Filter, error) {
	f := history.Filter{Route: r.URL.Query().Get("route"), Limit: defaultLimit}
	status, err := intParam(r, "status")
	if err != nil {
		return f, err
	}
	limit, err := intParam(r, "limit")
	if err != nil {
		return f, err
	}
	before, err := intParam(r, "before")
	if err != nil {
		return f, err
	}
	f.Status, f.Before = int(status), before
	if limit > 0 {
		f.Limit = int(min(limit, maxLimit))
	}
	return f, nil
}

func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) {
	f, err := s.filter(r)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	list, err := s.cfg.Store.List(r.Context(), f)
	if err != nil {
		s.internal(w, "listing requests", err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// record loads the {id} of the path, answering the error itself.
func (s *Server) record(w http.ResponseWriter, r *http.Request) *history.Record {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		jsonError(w, http.StatusBadRequest, "bad request id "+strconv.Quote(r.PathValue("id")))
		return nil
	}
	rec, err := s.cfg.Store.Get(r.Context(), id)
	if errors.Is(err, history.ErrNotFound) {
		jsonError(w, http.StatusNotFound, "no request "+strconv.FormatInt(id, 10)+" in the history")
		return nil
	}
	if err != nil {
		s.internal(w, "reading a request", err)
		return nil
	}
	return rec
}

func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) {
	if rec := s.record(w, r); rec != nil {
		writeJSON(w, http.StatusOK, rec)
	}
}

// replay runs the stored request again and answers the new entry once it is
// stored.
func (s *Server) replay(w http.ResponseWriter, r *http.Request) {
	orig := s.record(w, r)
	if orig == nil {
		return
	}
	if s.cfg.Replay == nil {
		jsonError(w, http.StatusNotImplemented, "replay is not available")
		return
	}
	rec, err := s.cfg.Replay(r.Context(), orig)
	if err != nil {
		jsonError(w, http.StatusConflict, "cannot replay request "+r.PathValue("id")+": "+err.Error())
		return
	}
	if s.cfg.Flush != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		_ = s.cfg.Flush(ctx)
		cancel()
	}
	if rec.ID != 0 { // 0: dropped (buffer full); answer what ran anyway
		if stored, err := s.cfg.Store.Get(r.Context(), rec.ID); err == nil {
			rec = stored
		}
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Server) listRoutes(w http.ResponseWriter, _ *http.Request) {
	routes := s.cfg.Routes()
	if routes == nil {
		routes = []Route{}
	}
	writeJSON(w, http.StatusOK, routes)
}

func (s *Server) listProblems(w http.ResponseWriter, _ *http.Request) {
	p := s.cfg.Problems()
	if p == nil {
		p = []Problem{}
	}
	writeJSON(w, http.StatusOK, p)
}

const noQueue = "no job list: this server runs SPAWNed SUBs in process; configure the durable queue"

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Jobs == nil {
		jsonError(w, http.StatusNotImplemented, noQueue)
		return
	}
	jobs, err := s.cfg.Jobs.List(r.Context(), r.URL.Query().Get("state"))
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	if jobs == nil {
		jobs = []JobInfo{}
	}
	writeJSON(w, http.StatusOK, jobs)
}

func (s *Server) jobAction(act func(Jobs, context.Context, int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Jobs == nil {
			jsonError(w, http.StatusNotImplemented, noQueue)
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			jsonError(w, http.StatusBadRequest, "bad job id "+strconv.Quote(r.PathValue("id")))
			return
		}
		switch err := act(s.cfg.Jobs, r.Context(), id); {
		case errors.Is(err, ErrNoJob):
			jsonError(w, http.StatusNotFound, err.Error())
		case err != nil:
			jsonError(w, http.StatusConflict, err.Error())
		default:
			writeJSON(w, http.StatusOK, map[string]any{"id": id, "ok": true})
		}
	}
}

func (s *Server) internal(w http.ResponseWriter, what string, err error) {
	s.cfg.Logger.Error("admin: "+what, "err", err)
	jsonError(w, http.StatusInternalServerError, "internal error while "+what)
}
