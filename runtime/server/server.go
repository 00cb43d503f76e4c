// Package server serves a runtime.Machine over HTTP with echo v4: one
// catch-all route dispatching through an atomic route table, so hot reload
// never adds routes to a running echo.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/history"
	"github.com/gbhook/gbhook/runtime/metrics"
)

// Defaults for Config's zero fields.
const (
	DefaultMaxBody        = 4 << 20 // above Meta's 3 MB cap
	DefaultHandlerTimeout = 10 * time.Second
)

// Config sets up a Server. Zero fields take their defaults.
type Config struct {
	// PublicURL is the base URL Twilio calls (GBHOOK_PUBLIC_URL), normalised
	// by signature.ParsePublicURL; empty means scheme://Host of each request.
	PublicURL string
	// TrustProxy lists the peers whose X-Forwarded-Proto and X-Forwarded-Host
	// are believed (see ParseTrustProxy); nil trusts no one.
	TrustProxy     []netip.Prefix
	MaxBody        int64         // request body limit; default 4 MiB
	HandlerTimeout time.Duration // deadline of one handler run; default 10s
	Getenv         func(string) string
	Logger         *slog.Logger
	// Queue stores a handler's SPAWNed jobs, and a signed delivery's dedupe
	// keys, before its response is written. Nil makes a handler that SPAWNs
	// answer 503 (jobs are never dropped) and turns deduplication off.
	Queue runtime.Queue
	// Observe, when set, receives one record per request but /healthz, after
	// its response is written (observe.go). It must not block. A record
	// marked Unkept (see Room) is only to be counted: it has no path, and it
	// is reused once Observe returns.
	Observe func(*history.Record)
	// Room, when set, tells as a request starts whether its history record
	// would be kept. When not, the record is marked Unkept and the answer's
	// body is not copied for it (under a flood, most are dropped).
	Room func() bool
}

// Server routes requests to the handlers of the current Machine.
type Server struct {
	cfg   Config
	log   *slog.Logger
	table atomic.Pointer[table]
	echo  *echo.Echo
	http  *http.Server
}

// New makes a server with no routes (every path but /healthz is 404) until
// the first Swap.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	s.echo = s.newEcho()
	s.http = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.HandlerTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		ConnContext:       connContext,
	}
	return s
}

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	// The middleware is composed once, here: echo's Use would compose it
	// again for every request (an allocation per middleware).
	h := s.dispatch
	for _, mw := range []echo.MiddlewareFunc{s.checkFraming, s.recoverPanics, s.observe, s.requestLogger, s.requestID} {
		h = mw(h)
	}
	// Every method and path reaches dispatch: Any covers echo's method list,
	// RouteNotFound catches the rest (other methods). Routes are never added
	// after this, so reload cannot race echo's router.
	e.Any("/*", h)
	e.RouteNotFound("/*", h)
	return e
}

// Swap makes m serve every request that starts from now on. Requests in
// flight finish with the Machine they started with.
func (s *Server) Swap(m *runtime.Machine) {
	if m == nil {
		return
	}
	t := buildTable(m)
	for _, h := range m.Program().Handlers {
		if e := newEntry(h); e.secretEnv != "" && s.cfg.Getenv(e.secretEnv) == "" {
			s.log.Warn("route will answer 503 until its secret is set",
				"route", h.RouteString(), "env", e.secretEnv)
		}
	}
	s.table.Store(t)
	hs, subs, fns := m.Program().Counts()
	s.log.Info("program loaded", "handlers", hs, "subs", subs, "functions", fns)
}

// Machine is the Machine serving new requests, or nil before the first Swap.
func (s *Server) Machine() *runtime.Machine {
	if t := s.table.Load(); t != nil {
		return t.m
	}
	return nil
}

// Handler is the echo instance, for tests and for embedding. Requests served
// through it alone skip the Content-Length + Transfer-Encoding check, which
// needs the connection (Serve).
func (s *Server) Handler() http.Handler { return s.echo }

// Start listens on addr and serves until Shutdown; it then returns nil.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve serves on ln until Shutdown; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("listening", "addr", ln.Addr().String())
	if err := s.http.Serve(framingListener{ln}); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests
// (including the commit of their SPAWNs) until ctx ends; then it closes
// what is left and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if err != nil {
		_ = s.http.Close()
	}
	return err
}

// requestID reuses a sane incoming X-Request-Id (so a proxy's id follows the
// request through our logs) or makes one, and sets it on the response.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(&reqCtx{Context: c, id: id, note: note{route: metrics.Unmatched}})
	}
}

// reqCtx is a request's echo context with what the middleware knows of it:
// one allocation, where echo's Set makes a map (and boxes the id) for each
// request. Errors go to s.errorHandler with it (not through c.Error, which
// would hand echo's own context over).
type reqCtx struct {
	echo.Context
	id   string
	note note
	dl   deadlineCtx // the handler run's context
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c == '.' || c == '_' || c == '-' || (c >= '0' && c <= '9') ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// logger is the request's logger, carrying request_id. It is made when a
// line is written: With costs several allocations, and most requests write
// only the request line, which carries the id as an attribute.
func (s *Server) logger(c echo.Context) *slog.Logger {
	if id := requestIDOf(c); id != "" {
		return s.log.With("request_id", id)
	}
	return s.log
}

func requestIDOf(c echo.Context) string {
	if rc, ok := c.(*reqCtx); ok {
		return rc.id
	}
	return ""
}

// requestLogger writes one slog line per request once it is answered. (Our
// own few lines rather than echo's middleware package, which would pull in
// golang.org/x/time for its rate limiter.)
func (s *Server) requestLogger(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			s.errorHandler(err, c) // answer now, so the line below logs the real status
		}
		r := c.Request()
		level := slog.LevelInfo
		if r.URL.Path == lang.HealthPath && c.Response().Status == http.StatusOK {
			level = slog.LevelDebug // probes every few seconds would drown the log
		}
		n := noteOf(c)
		if n == nil {
			n = &note{}
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", requestIDOf(c)), // as s.logger(c) would, without its With
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", n.route),
			slog.Int("status", c.Response().Status),
			slog.Int("steps", n.steps),
			slog.Int64("bytes_out", c.Response().Size),
			slog.Duration("latency", time.Since(start)))
		return nil
	}
}

// recoverPanics answers 500 for a panic outside a handler run (those are
// recovered closer, in exec), so one bad request never stops the server.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger(c).Error("panic while serving", "panic", p, "stack", string(debug.Stack()))
				err = nil
				if !c.Response().Committed {
					plain(c, http.StatusInternalServerError, msgInternal)
				}
			}
		}()
		return next(c)
	}
}

// errorHandler answers errors echo itself raises with one plain-text line
// instead of echo's JSON.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
	} else {
		s.logger(c).Error("request failed", "err", err)
	}
	plain(c, code, http.StatusText(code))
}
