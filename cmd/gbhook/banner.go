package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// newLogger makes the server's logger onto w: text when f (where w's lines
// end up) is a terminal, JSON otherwise, unless format says which.
func newLogger(format string, f *os.File, w io.Writer) *slog.Logger {
	if format == "auto" || format == "" {
		format = "json"
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			format = "text"
		}
	}
	return slog.New(logHandler(format, w))
}

func logHandler(format string, w io.Writer) slog.Handler {
	if format == "json" {
		return slog.NewJSONHandler(w, nil)
	}
	return slog.NewTextHandler(w, nil)
}

// banner logs what is being served and where: scripts, routes with their
// FROM, the two addresses, the outbox and the queue.
func banner(log *slog.Logger, a *app, c *ServeCmd, addr string) {
	prog := a.srv.Machine().Program()
	for _, f := range prog.Files {
		log.Info("script", "file", f.Name, "handlers", len(f.Handlers), "procs", len(f.Procs))
	}
	for _, h := range prog.Handlers {
		from := h.From.String()
		if from == "" {
			from = "-"
		}
		log.Info("route", "route", h.Method+" "+h.Path, "from", from, "at", h.P.Short())
	}
	for _, sc := range prog.Schedules {
		log.Info("schedule", "cron", sc.Cron, "at", sc.P.Short())
	}
	admin := "off"
	if a.obs != nil && a.obs.adminAddr != "" {
		admin = "http://" + a.obs.adminAddr + "/"
	}
	history := "off"
	if a.obs != nil && !a.obs.cfg.NoHistory {
		history = a.obs.dbPath
	}
	log.Info("gbhook serving", "webhook", "http://"+addr, "admin", admin,
		"mail", outboxWhere(os.Getenv, "SMTP_HOST", "smtp ", filepath.Join(c.Data, "outbox", "mail")),
		"whatsapp", outboxWhere(os.Getenv, "WHATSAPP_TOKEN", "graph api", filepath.Join(c.Data, "outbox", "whatsapp")),
		"queue", queueWhere(c), "history", history)
}

// outboxWhere tells where a channel's messages go: the real service when its
// variable is set, else the development outbox directory.
func outboxWhere(getenv func(string) string, env, service, outbox string) string {
	if v := getenv(env); v != "" {
		if env == "SMTP_HOST" {
			return service + v
		}
		return service
	}
	return "outbox " + outbox
}

// queueWhere names the job queue's backend, never its credentials.
func queueWhere(c *ServeCmd) string {
	if c.DatabaseURL != "" {
		return "postgresql (GBHOOK_DATABASE_URL)"
	}
	return "sqlite " + filepath.Join(c.Data, "gbhook.db")
}
