// Package metrics holds gbhook's Prometheus collectors. Every label has a
// bounded set of values: a route is the METHOD /pattern of a script's handler
// or "unmatched" (never a raw path or Host), a SUB is a name from the
// program, and the rest are fixed words.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of requests no handler matched.
const Unmatched = "unmatched"

// Metrics is one registry with gbhook's collectors.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	steps      *prometheus.CounterVec
	reloads    *prometheus.CounterVec
	jobs       *prometheus.CounterVec
	jobsQueued prometheus.Gauge
	deliveries *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	dropped    prometheus.Counter
	routes     sync.Map // route label → *routeSeries
}

// routeSeries are one route's series, looked up once: a request then counts
// without hashing its labels (WithLabelValues) or formatting its status.
type routeSeries struct {
	duration prometheus.Observer
	steps    prometheus.Counter
	status   sync.Map // int → prometheus.Counter
}

// New registers the collectors (and the Go and process collectors) in a
// registry of their own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gbhook_http_requests_total", Help: "Webhook requests answered, by route and status.",
	}, []string{"route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gbhook_http_request_duration_seconds", Help: "Time to answer a webhook request, by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.steps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gbhook_script_steps_total", Help: "Script steps (statements and loop iterations) run, by route.",
	}, []string{"route"})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gbhook_reloads_total", Help: "Script loads, by result (ok or failed).",
	}, []string{"result"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gbhook_jobs_total", Help: "Spawned SUB runs, by SUB and outcome (completed, retried, failed).",
	}, []string{"sub", "outcome"})
	m.jobsQueued = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gbhook_jobs_queued", Help: "Spawned SUBs waiting or running.",
	})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gbhook_deliveries_total", Help: "Mails, WhatsApp messages and LLM calls, by kind and outcome (ok, transient, permanent).",
	}, []string{"kind", "outcome"})
	m.duplicates = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gbhook_duplicates_total", Help: "Redelivered webhook events recognised as duplicates, by route.",
	}, []string{"route"})
	m.dropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "gbhook_history_dropped_total", Help: "History entries dropped because the write buffer was full.",
	})
	m.reg.MustRegister(m.requests, m.duration, m.steps, m.reloads, m.jobs, m.jobsQueued, m.deliveries,
		m.duplicates, m.dropped, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"ok", "failed"} {
		m.reloads.WithLabelValues(r)
	}
	m.dropped.Add(0)
	return m
}

// CountLogDrops exports dropped, the count of log lines dropped because
// the log output fell behind.
func (m *Metrics) CountLogDrops(dropped func() uint64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "gbhook_log_lines_dropped_total", Help: "Log lines dropped because the log output fell behind.",
	}, func() float64 { return float64(dropped()) }))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request counts one answered request. route must be a handler's
// "METHOD /pattern" or Unmatched.
func (m *Metrics) Request(route string, status int, d time.Duration, steps int) {
	rs := m.route(route)
	c, ok := rs.status.Load(status)
	if !ok {
		c, _ = rs.status.LoadOrStore(status, m.requests.WithLabelValues(route, strconv.Itoa(status)))
	}
	c.(prometheus.Counter).Inc()
	rs.duration.Observe(d.Seconds())
	if steps > 0 && rs.steps != nil {
		rs.steps.Add(float64(steps))
	}
}

func (m *Metrics) route(route string) *routeSeries {
	if rs, ok := m.routes.Load(route); ok {
		return rs.(*routeSeries)
	}
	n := &routeSeries{duration: m.duration.WithLabelValues(route)}
	if route != Unmatched { // no script runs there: no steps series
		n.steps = m.steps.WithLabelValues(route)
	}
	rs, _ := m.routes.LoadOrStore(route, n)
	return rs.(*routeSeries)
}

// Reload counts one script load.
func (m *Metrics) Reload(ok bool) {
	if ok {
		m.reloads.WithLabelValues("ok").Inc()
	} else {
		m.reloads.WithLabelValues("failed").Inc()
	}
}

// Job counts one outcome of a spawned SUB: completed, retried or failed.
func (m *Metrics) Job(sub, outcome string) { m.jobs.WithLabelValues(sub, outcome).Inc() }

// JobsQueued moves the queued-jobs gauge by delta.
func (m *Metrics) JobsQueued(delta float64) { m.jobsQueued.Add(delta) }

// SetJobsQueued sets the queued-jobs gauge (a durable queue knows the count).
func (m *Metrics) SetJobsQueued(n float64) { m.jobsQueued.Set(n) }

// Delivery counts one mail, whatsapp or llm call by outcome.
func (m *Metrics) Delivery(kind, outcome string) { m.deliveries.WithLabelValues(kind, outcome).Inc() }

// Duplicate counts one redelivery recognised on route.
func (m *Metrics) Duplicate(route string) { m.duplicates.WithLabelValues(route).Inc() }

// HistoryDropped counts one history entry dropped.
func (m *Metrics) HistoryDropped() { m.dropped.Inc() }
