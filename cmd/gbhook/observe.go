package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/admin"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/history"
	"github.com/gbhook/gbhook/runtime/metrics"
	httpserver "github.com/gbhook/gbhook/runtime/server"
)

// observeConfig turns on metrics, the request history and the admin listener.
type observeConfig struct {
	AdminAddr  string // "" or "off": no admin listener (metrics and history still run)
	AdminToken string
	BodyMax    int
	MaxCount   int
	MaxAge     time.Duration
	Buffer     int
}

// observer is what watches the server: metrics, history, events, admin.
type observer struct {
	cfg      observeConfig
	log      *slog.Logger
	metrics  *metrics.Metrics
	store    history.Store
	rec      *history.Recorder
	hub      *admin.Hub
	admin    *admin.Server
	problems atomic.Pointer[[]admin.Problem]
	stop     context.CancelFunc
	done     chan struct{}
	dbPath   string
}

// newObserver opens the history in <data>/gbhook.db and starts its writer.
func newObserver(c observeConfig, data string, getenv func(string) string, log *slog.Logger) (*observer, error) {
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	o := &observer{cfg: c, metrics: metrics.New(), hub: admin.NewHub(), done: make(chan struct{}),
		dbPath: filepath.Join(data, "gbhook.db")}
	store, err := history.OpenSQLite(context.Background(), o.dbPath)
	if err != nil {
		return nil, err
	}
	o.store = store
	none := []admin.Problem{}
	o.problems.Store(&none)
	o.rec = history.NewRecorder(history.RecorderConfig{Store: store, Buffer: c.Buffer, BodyMax: c.BodyMax,
		MaxCount: c.MaxCount, MaxAge: c.MaxAge, Redactor: history.NewRedactor(getenv), Logger: log,
		OnDrop: o.metrics.HistoryDropped, OnWritten: o.written})
	o.log = slog.New(history.NewLogHandler(log.Handler(), history.NewRedactor(getenv), o.rec.Event))
	ctx, cancel := context.WithCancel(context.Background())
	o.stop = cancel
	go func() { o.rec.Run(ctx); close(o.done) }()
	return o, nil
}

// written publishes what the history stored to the open inspectors.
func (o *observer) written(recs []*history.Record, evs []history.Event) {
	for _, r := range recs {
		o.hub.Publish("request", r.Summary())
	}
	for _, e := range evs {
		if e.Job != nil {
			o.hub.Publish("job", map[string]string{"request_id": e.RequestID, "sub": e.Job.Sub, "state": e.Job.State})
		}
	}
}

// observe is the server's Config.Observe: count, then hand to the history.
// Replays are not webhook traffic: they are recorded but not counted.
func (o *observer) observe(r *history.Record) {
	if r.ReplayOf == nil {
		o.metrics.Request(r.Route, r.Status, time.Duration(r.DurationMS*float64(time.Millisecond)), r.Steps)
	}
	o.rec.Record(r)
}

// deliveries wraps the delivery channels so that each call is counted and
// joins the history of the request it was made for.
func (o *observer) deliveries(m delivery.Mailer, w delivery.WhatsApp, l delivery.LLM) (delivery.Mailer, delivery.WhatsApp, delivery.LLM) {
	return history.Deliveries(m, w, l, func(ctx context.Context, d history.Delivery) {
		o.metrics.Delivery(d.Kind, d.Outcome)
		if id := history.RequestIDFrom(ctx); id != "" {
			o.rec.Event(history.Event{RequestID: id, Time: d.Time, Delivery: &d})
		}
	})
}

// enqueued counts jobs handed to the queue.
func (o *observer) enqueued(n int) { o.metrics.JobsQueued(float64(n)) }

// jobRun wraps one attempt of a spawned SUB: its deliveries join the request
// that SPAWNed it, and its outcome is counted and recorded. A transient error
// counts as retried (the in-process queue retries it a few times).
func (o *observer) jobRun(run func(context.Context, runtime.Job) error) func(context.Context, runtime.Job) error {
	return func(ctx context.Context, job runtime.Job) error {
		o.log.Info("spawned SUB started", "request_id", job.RequestID, "sub", job.Sub)
		err := run(history.WithRequestID(ctx, job.RequestID), job)
		j := history.Job{Sub: job.Sub, State: history.JobCompleted, Attempts: 1, Time: time.Now().UTC()}
		switch {
		case err == nil:
			o.metrics.JobsQueued(-1)
		case delivery.IsTransient(err):
			j.State, j.Error = history.JobRetried, err.Error()
		default:
			j.State, j.Error = history.JobFailed, err.Error()
			o.metrics.JobsQueued(-1)
		}
		o.metrics.Job(job.Sub, j.State)
		o.rec.Event(history.Event{RequestID: job.RequestID, Time: j.Time, Job: &j})
		return err
	}
}

// loaded records the outcome of a (re)load: metrics, current problems, and
// an event for the inspectors.
func (o *observer) loaded(err error) {
	o.metrics.Reload(err == nil)
	ps := problemsOf(err)
	o.problems.Store(&ps)
	o.hub.Publish("reload", map[string]any{"ok": err == nil, "problems": ps})
}

func problemsOf(err error) []admin.Problem {
	ps := []admin.Problem{}
	if err == nil {
		return ps
	}
	var list lang.ErrorList
	if !errors.As(err, &list) {
		return append(ps, admin.Problem{Error: err.Error(), Msg: err.Error()})
	}
	for _, e := range list {
		ps = append(ps, admin.Problem{Error: e.Error(), File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Msg: e.Msg})
	}
	return ps
}

// routesOf lists the handlers of the serving program.
func routesOf(srv *httpserver.Server) []admin.Route {
	m := srv.Machine()
	if m == nil {
		return nil
	}
	var out []admin.Route
	for _, h := range m.Program().Handlers {
		out = append(out, admin.Route{Route: h.Method + " " + h.Path, Method: h.Method, Path: h.Path,
			From: h.From, At: h.P.Short()})
	}
	return out
}

// adminServer builds the admin listener's server for srv.
func (o *observer) adminServer(srv *httpserver.Server) *admin.Server {
	return admin.New(admin.Config{Token: o.cfg.AdminToken, Store: o.store, Events: o.hub,
		Metrics: o.metrics.Handler(), Replay: srv.Replay, Flush: o.rec.Flush,
		Routes:   func() []admin.Route { return routesOf(srv) },
		Problems: func() []admin.Problem { return *o.problems.Load() },
		Logger:   o.log})
}

// startAdmin listens on the admin address (unless off) and serves there.
func (o *observer) startAdmin(srv *httpserver.Server) error {
	if o.cfg.AdminAddr == "" || o.cfg.AdminAddr == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", o.cfg.AdminAddr)
	if err != nil {
		return fmt.Errorf("admin listener: %w", err)
	}
	o.admin = o.adminServer(srv)
	go func() {
		if err := o.admin.Serve(ln); err != nil {
			o.log.Error("admin listener stopped", "err", err)
		}
	}()
	return nil
}

// close stops the admin listener, writes what the history still holds and
// closes the database.
func (o *observer) close(ctx context.Context) {
	if o.admin != nil {
		_ = o.admin.Shutdown(ctx)
	}
	o.stop()
	select {
	case <-o.done:
	case <-ctx.Done():
	}
	_ = o.store.Close()
}
