package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime/admin"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/history"
	"github.com/gbhook/gbhook/runtime/metrics"
	"github.com/gbhook/gbhook/runtime/queue"
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
	// NoHistory records no requests (--history-max 0): metrics, the log's
	// redaction and the admin listener stay; what was stored before stays
	// readable.
	NoHistory bool
	// LogDropped counts the log lines dropped (nil: none can be).
	LogDropped func() uint64
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
	jobs     queueJobs // zero until useQueue
	stop     context.CancelFunc
	done     chan struct{}
	dbPath   string
	// adminAddr is where the admin listener listens, once it does.
	adminAddr string
}

// newObserver opens the history where the queue is: in the PostgreSQL
// database at databaseURL (shared by the replicas) or else in
// <data>/gbhook.db, and starts its writer.
func newObserver(c observeConfig, data, databaseURL string, getenv func(string) string, log *slog.Logger) (*observer, error) {
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	o := &observer{cfg: c, metrics: metrics.New(), hub: admin.NewHub(), done: make(chan struct{}),
		dbPath: filepath.Join(data, "gbhook.db")}
	var store history.Store
	var err error
	if databaseURL != "" {
		o.dbPath = "postgresql (GBHOOK_DATABASE_URL)" // never the URL: it may hold a password
		store, err = history.OpenPostgres(context.Background(), databaseURL)
	} else {
		store, err = history.OpenSQLite(context.Background(), o.dbPath)
	}
	if err != nil {
		return nil, err
	}
	o.store = store
	if c.LogDropped != nil {
		o.metrics.CountLogDrops(c.LogDropped)
	}
	none := []admin.Problem{}
	o.problems.Store(&none)
	o.rec = history.NewRecorder(history.RecorderConfig{Store: store, Buffer: c.Buffer, BodyMax: c.BodyMax,
		MaxCount: c.MaxCount, MaxAge: c.MaxAge, Redactor: history.NewRedactor(getenv), Logger: log,
		OnDrop: o.metrics.HistoryDropped, OnWritten: o.written})
	sink := o.rec.Event
	if c.NoHistory {
		sink = nil
	}
	o.log = slog.New(history.NewLogHandler(log.Handler(), history.NewRedactor(getenv), sink))
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
		if r.Duplicate {
			o.metrics.Duplicate(r.Route)
		}
	}
	switch {
	case o.cfg.NoHistory:
	case r.Unkept:
		o.rec.Drop()
	default:
		o.rec.Record(r)
	}
}

// room is the server's Config.Room: whether the history takes a record now.
func (o *observer) room() bool { return !o.cfg.NoHistory && o.rec.Room() }

// deliveries wraps the delivery channels so that each call is counted and
// joins the history of the request it was made for.
func (o *observer) deliveries(m delivery.Mailer, w delivery.WhatsApp, l delivery.LLM) (delivery.Mailer, delivery.WhatsApp, delivery.LLM) {
	return history.Deliveries(m, w, l, o.delivered)
}

// httpCalls is the outbound HTTP client's OnCall: each call is counted and
// recorded as a delivery of kind http.
func (o *observer) httpCalls() func(context.Context, delivery.HTTPCall) {
	return history.HTTPCalls(o.delivered)
}

func (o *observer) delivered(ctx context.Context, d history.Delivery) {
	o.metrics.Delivery(d.Kind, d.Outcome)
	if id := history.RequestIDFrom(ctx); id != "" && !o.cfg.NoHistory {
		o.rec.Event(history.Event{RequestID: id, Time: d.Time, Delivery: &d})
	}
}

// job counts one attempt's outcome of a spawned SUB and records it in the
// history of the request that SPAWNed it (queue.Config.OnJob).
func (o *observer) job(requestID, sub string, attempt int, outcome string, err error) {
	o.metrics.Job(sub, outcome)
	if o.cfg.NoHistory {
		return
	}
	j := history.Job{Sub: sub, State: outcome, Attempts: attempt, Time: time.Now().UTC()}
	if err != nil {
		j.Error = err.Error()
	}
	o.rec.Event(history.Event{RequestID: requestID, Time: j.Time, Job: &j})
}

// useQueue lets the admin API list, retry and cancel the queue's jobs, and
// /metrics count the queued ones.
func (o *observer) useQueue(q *queue.Queue) { o.jobs = queueJobs{q} }

// queueJobs is the durable queue as the admin API sees it.
type queueJobs struct{ q *queue.Queue }

func (j queueJobs) List(ctx context.Context, state string) ([]admin.JobInfo, error) {
	if state != "" && !slices.Contains(queue.States, state) {
		return nil, fmt.Errorf("bad state %q: want one of %s", state, strings.Join(queue.States, ", "))
	}
	rows, err := j.q.List(ctx, state, 200)
	if err != nil {
		return nil, err
	}
	out := make([]admin.JobInfo, len(rows))
	for i, r := range rows {
		out[i] = admin.JobInfo{ID: r.ID, Sub: r.Sub, State: r.State, Attempts: r.Attempt, Error: r.Error,
			RequestID: r.RequestID, Time: r.ErrorAt}
	}
	return out, nil
}

func (j queueJobs) Retry(ctx context.Context, id int64) error { return j.change(ctx, id, j.q.Retry) }

func (j queueJobs) Cancel(ctx context.Context, id int64) error { return j.change(ctx, id, j.q.Cancel) }

func (j queueJobs) change(ctx context.Context, id int64, fn func(context.Context, int64) (queue.Row, error)) error {
	_, err := fn(ctx, id)
	if err != nil && strings.HasPrefix(err.Error(), "no job with id") {
		return fmt.Errorf("%w: %d", admin.ErrNoJob, id)
	}
	return err
}

// queued is the number of jobs still to run, for the gbhook_jobs_queued gauge.
func (j queueJobs) queued(ctx context.Context) (float64, error) {
	pending, err := j.q.Pending(ctx)
	n := 0
	for _, c := range pending {
		n += c
	}
	return float64(n), err
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
			From: h.From.String(), At: h.P.Short()})
	}
	return out
}

// adminServer builds the admin listener's server for srv.
func (o *observer) adminServer(srv *httpserver.Server) *admin.Server {
	var jobs admin.Jobs
	if o.jobs.q != nil {
		jobs = o.jobs
	}
	return admin.New(admin.Config{Token: o.cfg.AdminToken, Store: o.store, Events: o.hub, Jobs: jobs,
		Metrics: o.metricsHandler(), Replay: srv.Replay, Flush: o.rec.Flush,
		Routes:   func() []admin.Route { return routesOf(srv) },
		Problems: func() []admin.Problem { return *o.problems.Load() },
		Logger:   o.log})
}

// metricsHandler serves /metrics, counting the queued jobs first.
func (o *observer) metricsHandler() http.Handler {
	h := o.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.jobs.q != nil {
			if n, err := o.jobs.queued(r.Context()); err == nil {
				o.metrics.SetJobsQueued(n)
			}
		}
		h.ServeHTTP(w, r)
	})
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
	o.adminAddr = ln.Addr().String()
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
