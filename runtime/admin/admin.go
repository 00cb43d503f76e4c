// Package admin serves the admin listener: /metrics, the JSON API over the
// request history, routes, problems and jobs, server-sent events, and the
// inspector page (html/template and a little plain JavaScript, embedded, so
// it works offline). It is a separate listener from the webhook port.
package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/gbhook/gbhook/runtime/history"
)

// Route is one handler as GET /api/routes shows it.
type Route struct {
	Route  string `json:"route"` // METHOD /pattern
	Method string `json:"method"`
	Path   string `json:"path"`
	From   string `json:"from"` // "", TWILIO or WHATSAPP
	At     string `json:"at"`   // file:line
}

// Problem is one check problem of the scripts on disk.
type Problem struct {
	Error string `json:"error"` // file:line:col: message
	File  string `json:"file"`
	Line  int    `json:"line"`
	Col   int    `json:"col"`
	Msg   string `json:"msg"`
}

// JobInfo is one job as GET /api/jobs shows it.
type JobInfo struct {
	ID        int64     `json:"id"`
	Sub       string    `json:"sub"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	Error     string    `json:"error"`
	RequestID string    `json:"request_id"`
	Time      time.Time `json:"time"`
}

// Jobs is the job queue as the admin API drives it.
type Jobs interface {
	List(ctx context.Context, state string) ([]JobInfo, error)
	Retry(ctx context.Context, id int64) error
	Cancel(ctx context.Context, id int64) error
}

// ErrNoJob answers a retry or cancel of an unknown job (404).
var ErrNoJob = errors.New("no such job")

// Config connects the admin listener to the rest of gbhook.
type Config struct {
	// Token, when set, is required of every request (GBHOOK_ADMIN_TOKEN).
	Token   string
	Store   history.Store
	Events  *Hub
	Metrics http.Handler
	// Replay runs a stored request again (server.Server.Replay).
	Replay func(ctx context.Context, orig *history.Record) (*history.Record, error)
	// Flush waits until the history has written what it was handed.
	Flush    func(ctx context.Context) error
	Routes   func() []Route
	Problems func() []Problem
	Jobs     Jobs // nil: the job endpoints answer 501
	Logger   *slog.Logger
}

// Server is the admin listener.
type Server struct {
	cfg  Config
	auth *auth
	mux  *http.ServeMux
	http *http.Server
}

// CheckAddr refuses an address that is not loopback when no token is set.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("admin address %q: %w", addr, err)
	}
	if token != "" || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("admin address %s is not loopback: set GBHOOK_ADMIN_TOKEN, or bind the admin listener to 127.0.0.1, or set --admin-addr off", addr)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New makes the admin server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Events == nil {
		cfg.Events = NewHub()
	}
	if cfg.Routes == nil {
		cfg.Routes = func() []Route { return nil }
	}
	if cfg.Problems == nil {
		cfg.Problems = func() []Problem { return nil }
	}
	s := &Server{cfg: cfg, auth: newAuth(cfg.Token), mux: http.NewServeMux()}
	s.routes()
	// No WriteTimeout: /api/events streams for as long as the page is open.
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)}
	return s
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.login)
	m.Handle("GET /metrics", s.cfg.Metrics)
	m.HandleFunc("GET /api/requests", s.listRequests)
	m.HandleFunc("GET /api/requests/{id}", s.getRequest)
	m.HandleFunc("POST /api/requests/{id}/replay", s.replay)
	m.HandleFunc("GET /api/routes", s.listRoutes)
	m.HandleFunc("GET /api/problems", s.listProblems)
	m.HandleFunc("GET /api/jobs", s.listJobs)
	m.HandleFunc("POST /api/jobs/{id}/retry", s.jobAction(Jobs.Retry))
	m.HandleFunc("POST /api/jobs/{id}/cancel", s.jobAction(Jobs.Cancel))
	m.HandleFunc("GET /api/events", s.events)
	m.HandleFunc("GET /static/", s.static)
	m.HandleFunc("GET /{$}", s.index)
	// Profiles of the live server, behind the same authentication.
	m.HandleFunc("GET /debug/pprof/", pprof.Index)
	m.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	m.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}

// Handler is the whole admin listener, authentication included.
func (s *Server) Handler() http.Handler { return s.auth.wrap(s.mux) }

// Serve serves on ln until Shutdown; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops the listener; open event streams end with it.
func (s *Server) Shutdown(ctx context.Context) error {
	s.cfg.Events.Close()
	err := s.http.Shutdown(ctx)
	if err != nil {
		_ = s.http.Close()
	}
	return err
}
