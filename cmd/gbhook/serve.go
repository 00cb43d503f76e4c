package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	"github.com/gbhook/gbhook/runtime/reload"
	httpserver "github.com/gbhook/gbhook/runtime/server"
)

// ServeCmd is `gbhook serve`.
type ServeCmd struct {
	Scripts        string        `help:"Directory of .bas scripts." default:"./scripts" env:"GBHOOK_SCRIPTS" type:"existingdir"`
	Addr           string        `help:"Listen address." default:"127.0.0.1:3000" env:"GBHOOK_ADDR"`
	Data           string        `help:"Data directory (the development outbox)." default:"./data" env:"GBHOOK_DATA"`
	MaxBody        byteSize      `help:"Largest request body (e.g. 4MiB, 512KiB, 1000000)." default:"4MiB" env:"GBHOOK_MAX_BODY"`
	HandlerTimeout time.Duration `help:"Deadline of one handler run." default:"10s" env:"GBHOOK_HANDLER_TIMEOUT"`
	MaxSteps       int           `help:"Step budget of one handler run (runtime.DefaultMaxSteps)." default:"10000000" env:"GBHOOK_MAX_STEPS"`
	PublicURL      string        `help:"Public base URL Twilio calls (it signs this URL), e.g. https://hooks.example.com." env:"GBHOOK_PUBLIC_URL"`
	AdminAddr      string        `help:"Admin listener (metrics, API, inspector); off disables it. Beyond loopback it needs GBHOOK_ADMIN_TOKEN." default:"127.0.0.1:3001" env:"GBHOOK_ADMIN_ADDR"`
	HistoryBodyMax byteSize      `help:"Bytes of each request and response body kept in the history." default:"256KiB" env:"GBHOOK_HISTORY_BODY_MAX"`
	HistoryMax     int           `help:"Requests kept in the history." default:"5000" env:"GBHOOK_HISTORY_MAX"`
	HistoryAge     time.Duration `help:"Age of the oldest request kept in the history." default:"168h" env:"GBHOOK_HISTORY_AGE"`
	LogFormat      string        `help:"Log format: text, json, or auto (text on a terminal, JSON otherwise)." default:"auto" enum:"auto,text,json" env:"GBHOOK_LOG_FORMAT"`
}

// shutdownTimeout bounds the drain of in-flight requests and of SPAWNed jobs.
const shutdownTimeout = 30 * time.Second

// Run loads the scripts (failing on any problem), serves them, reloads them on
// save, and on SIGINT/SIGTERM drains requests and then the spawn queue.
func (c *ServeCmd) Run() error {
	log := newLogger(c.LogFormat, os.Stderr)
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
		Server: httpserver.Config{PublicURL: strings.TrimSuffix(c.PublicURL, "/"), MaxBody: int64(c.MaxBody),
			HandlerTimeout: c.HandlerTimeout},
		MaxSteps: c.MaxSteps,
		Observe: &observeConfig{AdminAddr: c.AdminAddr, AdminToken: token, BodyMax: int(c.HistoryBodyMax),
			MaxCount: c.HistoryMax, MaxAge: c.HistoryAge},
	})
	if err != nil {
		return err
	}
	defer a.close()
	log = a.log
	if err := a.load(); err != nil {
		return printProblems(err)
	}
	if err := a.obs.startAdmin(a.srv); err != nil {
		return err
	}
	banner(log, a, c)
	go func() {
		w := &reload.Watcher{Dir: c.Scripts, Load: a.load, Logger: log}
		if err := w.Run(ctx); err != nil {
			log.Error("hot reload stopped; restart to pick up changes", "err", err)
		}
	}()
	return serveUntilSignal(ctx, stop, log, a.srv, a.queue, c.Addr)
}

// appConfig is what newApp wires together.
type appConfig struct {
	Dirs     []string
	Data     string
	Getenv   func(string) string
	Logger   *slog.Logger
	Server   httpserver.Config
	MaxSteps int
	Observe  *observeConfig // nil: no metrics, history or admin listener
}

// app is a wired server: deliveries from the environment, the builtins, the
// in-process spawn queue, and a load function that checks and swaps.
type app struct {
	srv   *httpserver.Server
	queue *builtins.InProcess
	load  func() error
	obs   *observer    // nil without appConfig.Observe
	log   *slog.Logger // appConfig.Logger, redacting (and feeding the history)
}

func newApp(c appConfig) (*app, error) {
	mailer, wa, llm, err := delivery.FromEnv(delivery.Config{Getenv: c.Getenv, DataDir: c.Data})
	if err != nil {
		return nil, err
	}
	a := &app{}
	run := func(ctx context.Context, job runtime.Job) error { return a.srv.Machine().RunSub(ctx, job) }
	cfg := c.Server
	if c.Observe != nil {
		if a.obs, err = newObserver(*c.Observe, c.Data, c.Getenv, c.Logger); err != nil {
			return nil, err
		}
		c.Logger = a.obs.log
		mailer, wa, llm = a.obs.deliveries(mailer, wa, llm)
		run = a.obs.jobRun(run)
		cfg.Observe = a.obs.observe
	}
	a.log = c.Logger
	reg := builtins.Registry(builtins.Deps{Mailer: mailer, WhatsApp: wa, LLM: llm, Logger: c.Logger})
	a.queue = builtins.NewInProcess(run, c.Logger)
	cfg.Logger, cfg.Getenv, cfg.Enqueue = c.Logger, c.Getenv, a.queue.Enqueue
	if a.obs != nil {
		cfg.Enqueue = func(ctx context.Context, jobs []runtime.Job) error {
			a.obs.enqueued(len(jobs))
			return a.queue.Enqueue(ctx, jobs)
		}
	}
	a.srv = httpserver.New(cfg)
	opts := runtime.Options{MaxSteps: c.MaxSteps, Getenv: c.Getenv, Logger: c.Logger, Spawner: queueSpawner{a.queue}}
	a.load = func() error {
		prog, err := lang.LoadDirs(c.Dirs, builtins.Specs())
		if err != nil {
			return err
		}
		m, err := runtime.New(prog, reg, opts)
		if err != nil {
			return err
		}
		a.srv.Swap(m)
		return nil
	}
	if a.obs != nil {
		load := a.load
		a.load = func() error { err := load(); a.obs.loaded(err); return err }
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

func serveUntilSignal(ctx context.Context, stop func(), log *slog.Logger, srv *httpserver.Server,
	queue *builtins.InProcess, addr string) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Start(addr) }()
	select {
	case err := <-errc:
		return err // could not listen
	case <-ctx.Done():
	}
	stop() // a second signal kills at once
	log.Info("shutting down: draining requests, then spawned jobs")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("draining requests: %w", err))
	}
	if err := <-errc; err != nil {
		errs = append(errs, err)
	}
	if err := queue.Drain(sctx); err != nil {
		errs = append(errs, fmt.Errorf("draining spawned jobs: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// queueSpawner lets a spawned SUB SPAWN in turn, through the same queue.
type queueSpawner struct{ q *builtins.InProcess }

func (s queueSpawner) Spawn(ctx context.Context, job runtime.Job) error {
	return s.q.Enqueue(ctx, []runtime.Job{job})
}

// printProblems reports a failed first load, one problem a line, and exits 1.
func printProblems(err error) error {
	var list lang.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	for _, e := range list {
		fmt.Fprintln(os.Stderr, e.Error())
	}
	fmt.Fprintf(os.Stderr, "%d problem(s); not serving\n", len(list))
	return exitError(1)
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
