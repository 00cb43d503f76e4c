package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/admin"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/gctune"
	"github.com/gbhook/gbhook/runtime/logsink"
	"github.com/gbhook/gbhook/runtime/queue"
	"github.com/gbhook/gbhook/runtime/reload"
	httpserver "github.com/gbhook/gbhook/runtime/server"
	"github.com/gbhook/gbhook/runtime/signature"
)

// ServeCmd is `gbhook serve`.
type ServeCmd struct {
	Scripts        string        `help:"Directory of .bas scripts." default:"./scripts" env:"GBHOOK_SCRIPTS"`
	Addr           string        `help:"Listen address." default:"127.0.0.1:3000" env:"GBHOOK_ADDR"`
	Data           string        `help:"Data directory (the development outbox)." default:"./data" env:"GBHOOK_DATA"`
	MaxBody        byteSize      `help:"Largest request body (e.g. 4MiB, 512KiB, 1000000)." default:"4MiB" env:"GBHOOK_MAX_BODY"`
	HandlerTimeout time.Duration `help:"Deadline of one handler run." default:"10s" env:"GBHOOK_HANDLER_TIMEOUT"`
	MaxSteps       int           `help:"Step budget of one handler run (runtime.DefaultMaxSteps)." default:"10000000" env:"GBHOOK_MAX_STEPS"`
	MaxRunMemory   byteSize      `help:"Memory budget of one run: bytes its strings, JSON and response may allocate (e.g. 64MiB)." default:"64MiB" env:"GBHOOK_MAX_RUN_MEMORY"`
	PublicURL      string        `help:"Public base URL Twilio calls (it signs this URL), e.g. https://hooks.example.com." env:"GBHOOK_PUBLIC_URL"`
	TrustProxy     string        `help:"Proxies (CIDRs or IPs, comma-separated) whose X-Forwarded-Proto and X-Forwarded-Host are believed." env:"GBHOOK_TRUST_PROXY"`
	AdminAddr      string        `help:"Admin listener (metrics, API, inspector); off disables it. Beyond loopback it needs GBHOOK_ADMIN_TOKEN." default:"127.0.0.1:3001" env:"GBHOOK_ADMIN_ADDR"`
	HistoryBodyMax byteSize      `help:"Bytes of each request and response body kept in the history." default:"256KiB" env:"GBHOOK_HISTORY_BODY_MAX"`
	HistoryMax     int           `help:"Requests kept in the history; 0 records none." default:"5000" env:"GBHOOK_HISTORY_MAX"`
	HistoryAge     time.Duration `help:"Age of the oldest request kept in the history." default:"168h" env:"GBHOOK_HISTORY_AGE"`
	LogFormat      string        `help:"Log format: text, json, or auto (text on a terminal, JSON otherwise)." default:"auto" enum:"auto,text,json" env:"GBHOOK_LOG_FORMAT"`
	DatabaseURL    string        `help:"PostgreSQL URL for the job queue (several replicas); default: SQLite at <data>/gbhook.db." env:"GBHOOK_DATABASE_URL"`
	Workers        int           `help:"Jobs run at once (the worker pool)." default:"16" env:"GBHOOK_WORKERS"`
	MaxSpawns      int           `help:"Jobs one run may SPAWN." default:"1000" env:"GBHOOK_MAX_SPAWNS"`
	MaxAttempts    int           `name:"spawn-max-attempts" help:"Attempts of a job failing transiently before it is discarded." default:"8" env:"GBHOOK_SPAWN_MAX_ATTEMPTS"`
	JobTimeout     time.Duration `help:"Deadline of one job attempt; a job of a crashed process runs again after it plus 15s." default:"60s" env:"GBHOOK_JOB_TIMEOUT"`
	Shutdown       time.Duration `name:"shutdown-timeout" help:"On SIGTERM, how long in-flight requests and running jobs get to finish." default:"30s" env:"GBHOOK_SHUTDOWN_TIMEOUT"`
}

// Run loads the scripts (failing on any problem), serves them, reloads them on
// save and on SIGHUP, and on SIGINT/SIGTERM drains requests and then the
// running jobs.
func (c *ServeCmd) Run() error {
	if err := c.validate(); err != nil {
		return err
	}
	publicURL, err := signature.ParsePublicURL(c.PublicURL)
	if err != nil {
		return usagef("--public-url %v", err)
	}
	trust, err := httpserver.ParseTrustProxy(c.TrustProxy)
	if err != nil {
		return usagef("--trust-proxy: %v", err)
	}
	// Log lines are written off the request path (runtime/logsink); the
	// deferred Close writes what is queued before Run returns.
	var dropLog *slog.Logger
	out := logsink.New(os.Stderr, 0, func(n int) {
		dropLog.Warn("log lines dropped: the log output was slower than the server", "lines", n)
	})
	defer out.Close()
	log := newLogger(c.LogFormat, os.Stderr, out)
	dropLog = log
	if os.Getenv("GOGC") == "" { // the user's setting wins
		defer gctune.Start(gctune.Default)()
	}
	token := os.Getenv("GBHOOK_ADMIN_TOKEN")
	if c.AdminAddr != "off" {
		if err := admin.CheckAddr(c.AdminAddr, token); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := newApp(appConfig{
		Dirs: []string{c.Scripts}, Data: c.Data, Getenv: os.Getenv, Logger: log,
		Server: httpserver.Config{PublicURL: publicURL, TrustProxy: trust, MaxBody: int64(c.MaxBody),
			HandlerTimeout: c.HandlerTimeout},
		MaxSteps: c.MaxSteps, MaxMemory: int64(c.MaxRunMemory), MaxSpawns: c.MaxSpawns,
		Queue: queue.Config{DatabaseURL: c.DatabaseURL, Workers: c.Workers, MaxAttempts: c.MaxAttempts,
			JobTimeout: c.JobTimeout},
		Observe: &observeConfig{AdminAddr: c.AdminAddr, AdminToken: token, BodyMax: int(c.HistoryBodyMax),
			MaxCount: c.HistoryMax, MaxAge: c.HistoryAge, NoHistory: c.HistoryMax == 0, LogDropped: out.Dropped},
	})
	if err != nil {
		return err
	}
	defer a.close()
	defer a.queue.Close()
	// Schedules are the queue's periodic jobs: the elected leader among
	// the processes on one database enqueues each tick once.
	sched, err := a.queue.Scheduler()
	if err != nil {
		return err
	}
	a.sched = sched
	log = a.log
	if err := a.load(); err != nil {
		return printProblems(os.Stderr, err, "; not serving")
	}
	// Not ctx: River cancels running jobs when Start's context ends; the
	// signal path stops the queue gently instead (serveUntilSignal).
	if err := a.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting the job workers: %w", err)
	}
	if err := a.obs.startAdmin(a.srv); err != nil {
		return err
	}
	// Listen before the banner, so that it names the bound addresses
	// (say, of --addr 127.0.0.1:0).
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	banner(log, a, c, ln.Addr().String())
	w := &reload.Watcher{Dir: c.Scripts, Load: a.prepare, Serving: a.srv.Machine().Program(), Logger: log}
	go func() {
		if err := w.Run(ctx); err != nil {
			log.Error("hot reload stopped; restart to pick up changes", "err", err)
		}
	}()
	reloadOnHangup(ctx, w, log)
	return serveUntilSignal(ctx, stop, log, a.srv, a.queue, ln, c.Shutdown)
}

// appConfig is what newApp wires together.
type appConfig struct {
	Dirs     []string
	Data     string
	Getenv   func(string) string
	Logger   *slog.Logger
	Server   httpserver.Config
	MaxSteps int
	// MaxMemory is runtime.Options.MaxMemory (0: the default).
	MaxMemory int64
	MaxSpawns int
	Queue     queue.Config   // DataDir, Machine and Logger are filled in
	Observe   *observeConfig // nil: no metrics, history or admin listener
}

// app is a wired server: deliveries from the environment, the builtins, the
// job queue (opened and migrated, not yet started), and load functions:
// prepare checks without serving, load checks and swaps.
type app struct {
	srv     *httpserver.Server
	queue   *queue.Queue
	prepare func() (reload.Candidate, error)
	load    func() error
	sched   runtime.Scheduler // told the schedules on every commit; nil: none run
	obs     *observer         // nil without appConfig.Observe
	log     *slog.Logger      // appConfig.Logger, redacting (and feeding the history)
}

func newApp(c appConfig) (*app, error) {
	a := &app{}
	cfg := c.Server
	qc := c.Queue
	var wrap func(delivery.Mailer, delivery.WhatsApp, delivery.LLM) (delivery.Mailer, delivery.WhatsApp, delivery.LLM)
	var onHTTP func(context.Context, delivery.HTTPCall)
	if c.Observe != nil {
		var err error
		if a.obs, err = newObserver(*c.Observe, c.Data, qc.DatabaseURL, c.Getenv, c.Logger); err != nil {
			return nil, err
		}
		c.Logger = a.obs.log
		wrap, onHTTP = a.obs.deliveries, a.obs.httpCalls()
		qc.OnJob = a.obs.job
		cfg.Observe, cfg.Room = a.obs.observe, a.obs.room
	}
	a.log = c.Logger
	reg, err := newRegistry(c.Getenv, c.Data, c.Logger, wrap, onHTTP)
	if err != nil {
		return nil, err
	}
	qc.DataDir, qc.Logger = c.Data, c.Logger
	qc.Machine = func() *runtime.Machine { return a.srv.Machine() }
	if a.queue, err = openQueue(qc); err != nil {
		return nil, err
	}
	if a.obs != nil {
		a.obs.useQueue(a.queue)
	}
	cfg.Logger, cfg.Getenv, cfg.Queue = c.Logger, c.Getenv, a.queue
	a.srv = httpserver.New(cfg)
	opts := runtime.Options{MaxSteps: c.MaxSteps, MaxMemory: c.MaxMemory, MaxSpawns: c.MaxSpawns, Getenv: c.Getenv, Logger: c.Logger}
	loader := lang.NewLoader(c.Dirs, builtins.Specs()) // a save re-parses only the files it changed
	a.prepare = func() (reload.Candidate, error) {
		prog, err := loader.Load()
		if err != nil {
			return reload.Candidate{}, err
		}
		o := opts
		o.Reuse = a.srv.Machine() // the code of the files the two programs share is not compiled again
		m, err := runtime.New(prog, reg, o)
		if err != nil {
			return reload.Candidate{}, err
		}
		return reload.Candidate{Program: prog, Commit: func() {
			if old := a.srv.Machine(); old != nil {
				warnOrphanedJobs(c.Logger, a.queue, old.Program(), prog)
			}
			a.srv.Swap(m)
			if a.sched != nil {
				a.sched.Update(m.Schedules())
			}
		}}, nil
	}
	a.load = func() error {
		next, err := a.prepare()
		if err == nil {
			next.Commit()
		}
		return err
	}
	if a.obs != nil { // the inspector shows each reload's problems, or none
		prepare := a.prepare
		a.prepare = func() (reload.Candidate, error) {
			next, err := prepare()
			if err != nil {
				a.obs.loaded(err)
				return next, err
			}
			commit := next.Commit
			next.Commit = func() { commit(); a.obs.loaded(nil) }
			return next, nil
		}
	}
	return a, nil
}

// close writes what the history holds and closes its database.
func (a *app) close() {
	if a.obs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.obs.close(ctx)
	}
}

// openQueue opens (creating and migrating) the job database, the data
// directory included.
func openQueue(qc queue.Config) (*queue.Queue, error) {
	if qc.DatabaseURL == "" {
		if err := os.MkdirAll(qc.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return queue.Open(ctx, qc)
}

// warnOrphanedJobs warns when a reload removes a SUB, or changes its number of
// parameters, while jobs for it wait: they will fail until it is back.
func warnOrphanedJobs(log *slog.Logger, q *queue.Queue, old, cur *lang.Program) {
	var changed []string
	for name, p := range old.Procs {
		if p.Kind != lang.KindSub {
			continue
		}
		if n := cur.Procs[name]; n == nil || n.Kind != lang.KindSub || len(n.Params) != len(p.Params) {
			changed = append(changed, name)
		}
	}
	if len(changed) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pending, err := q.Pending(ctx)
	if err != nil {
		log.Warn("reload changed SUBs; could not count their queued jobs", "subs", strings.Join(changed, ", "), "err", err)
		return
	}
	for _, name := range changed {
		if n := pending[name]; n > 0 {
			log.Warn("reload removed or changed a SUB that queued jobs wait for; they fail until it is back (gbhook jobs retry)",
				"sub", name, "jobs", n)
		}
	}
}

// reloadOnHangup makes SIGHUP reload the scripts (the daemon convention)
// instead of ending the process. Once shutdown starts, SIGHUP is ignored.
func reloadOnHangup(ctx context.Context, w *reload.Watcher, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading scripts")
				w.Reload()
			}
		}
	}()
}

func serveUntilSignal(ctx context.Context, stop func(), log *slog.Logger, srv *httpserver.Server,
	q *queue.Queue, ln net.Listener, shutdownTimeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err // could not listen
	case <-ctx.Done():
	}
	stop() // a second signal kills at once
	log.Info("shutting down: draining requests, then running jobs")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("draining requests: %w", err))
	}
	if err := <-errc; err != nil {
		errs = append(errs, err)
	}
	// Stop fetching; running jobs get what is left of the timeout, and the
	// rest stays in the database for the next start.
	if err := q.Stop(sctx); err != nil {
		errs = append(errs, fmt.Errorf("stopping the job workers: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// byteSize is a --max-body value: a number of bytes with an optional unit
// (B, KB, MB, GB, KiB, MiB, GiB; case-insensitive).
type byteSize int64

var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1},
}

// Decode implements kong.MapperValue.
func (b *byteSize) Decode(ctx *kong.DecodeContext) error {
	var s string
	if err := ctx.Scan.PopValueInto("size", &s); err != nil {
		return err
	}
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func parseByteSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("bad size %q: want a positive number of bytes such as 4MiB or 1000000", s)
	}
	return n * mult, nil
}
