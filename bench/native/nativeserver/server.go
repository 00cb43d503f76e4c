// Package nativeserver is the hand-written Go baseline gbhook is measured
// against: an echo v4 server answering the four shipped endpoints
// (bench/scripts) with the same work the scripts and gbhook's server do —
// signature checks through runtime/signature, the same outbox files through
// runtime/delivery, one request log line with the same fields, a request id
// and a deadline per request, a body limit, and POST /webhooks/whatsapp's
// replies stored as River jobs in SQLite before the 200 (river.go), as gbhook
// stores SPAWNed jobs. Nothing here may take a shortcut gbhook could not
// take too.
package nativeserver

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gbhook/gbhook/runtime/delivery"
)

// Config sets up a Server; zero fields take gbhook's defaults.
type Config struct {
	PublicURL      string // as gbhook's --public-url; empty: http://Host of each request
	MaxBody        int64  // default 4 MiB, as gbhook
	HandlerTimeout time.Duration
	Getenv         func(string) string
	Logger         *slog.Logger
	Mailer         delivery.Mailer
	WhatsApp       delivery.WhatsApp
	LLM            delivery.LLM
	DataDir        string // holds native.db, the job store (the outbox too, through the senders)
}

// Server is the native baseline.
type Server struct {
	cfg  Config
	log  *slog.Logger
	jobs *store
	echo *echo.Echo
	http *http.Server
}

const (
	keyRequestID = "native.request_id"
	keyContext   = "native.ctx"
)

// New opens the job store (creating and migrating <DataDir>/native.db) and
// wires the routes; Start runs the job workers.
func New(cfg Config) (*Server, error) {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 4 << 20
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = 10 * time.Second
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	var err error
	if s.jobs, err = openStore(context.Background(), cfg.DataDir, s.Process, cfg.Logger); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(s.requestID, s.requestLog, s.recoverPanics)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.POST("/twilio/voice", s.voice, s.deadline)
	e.POST("/twilio/gather", s.gather, s.deadline)
	e.GET("/webhooks/whatsapp", s.whatsappVerify, s.deadline)
	e.POST("/webhooks/whatsapp", s.whatsappMessage, s.deadline)
	s.echo = e
	s.http = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.HandlerTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return s, nil
}

// Start runs the job workers until Shutdown.
func (s *Server) Start() error { return s.jobs.start() }

// Pending counts the stored jobs not yet done.
func (s *Server) Pending(ctx context.Context) (int, error) { return s.jobs.pending(ctx) }

// Handler is the echo instance, for httptest.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("listening", "addr", ln.Addr().String())
	if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown drains requests, then lets the running jobs finish (until ctx
// ends) and closes the job store. Jobs not yet run stay stored for the next
// start.
func (s *Server) Shutdown(ctx context.Context) error {
	return errors.Join(s.http.Shutdown(ctx), s.jobs.stop(ctx))
}

// requestID keeps a sane incoming X-Request-Id or makes one, like gbhook.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		c.Set(keyRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
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

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(keyRequestID).(string)
	return id
}

// deadline bounds each handler's work by HandlerTimeout, as gbhook bounds
// each run; the handlers pass ctxOf(c) to whatever they call.
func (s *Server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.HandlerTimeout)
		defer cancel()
		c.Set(keyContext, ctx)
		return next(c)
	}
}

func ctxOf(c echo.Context) context.Context {
	if ctx, ok := c.Get(keyContext).(context.Context); ok {
		return ctx
	}
	return c.Request().Context()
}

// requestLog writes gbhook's request line: the same message and fields.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		r := c.Request()
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", r.Method+" "+c.Path()),
			slog.Int("status", c.Response().Status),
			slog.Int("steps", 0), // no interpreter; logged so the line costs the same
			slog.Int64("bytes_out", c.Response().Size),
			slog.Duration("latency", time.Since(start)))
		return nil
	}
}

// recoverPanics answers 500 rather than lose the server, like gbhook.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic while serving", "request_id", requestIDOf(c), "panic", p)
				err = plain(c, http.StatusInternalServerError, "internal error")
			}
		}()
		return next(c)
	}
}

// readBody reads the body under the size limit. When ok is false the
// request has been answered (with err's outcome).
func (s *Server) readBody(c echo.Context) (body []byte, ok bool, err error) {
	r := c.Request()
	if r.ContentLength > s.cfg.MaxBody {
		return nil, false, plain(c, http.StatusRequestEntityTooLarge, "request body too large")
	}
	body, err = io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, false, plain(c, http.StatusRequestEntityTooLarge, "request body too large")
		}
		return nil, false, plain(c, http.StatusBadRequest, "bad request")
	}
	return body, true, nil
}

// plain answers one short plain-text line, as gbhook's errors do.
func plain(c echo.Context, status int, msg string) error {
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(status, "text/plain; charset=utf-8", []byte(msg))
}
