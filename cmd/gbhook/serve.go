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
}

// shutdownTimeout bounds the drain of in-flight requests and of SPAWNed jobs.
const shutdownTimeout = 30 * time.Second

// Run loads the scripts (failing on any problem), serves them, reloads them on
// save and on SIGHUP, and on SIGINT/SIGTERM drains requests and then the spawn
// queue.
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
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := newApp(appConfig{
		Dirs: []string{c.Scripts}, Data: c.Data, Getenv: os.Getenv, Logger: log,
		Server: httpserver.Config{PublicURL: publicURL, TrustProxy: trust, MaxBody: int64(c.MaxBody),
			HandlerTimeout: c.HandlerTimeout},
		MaxSteps: c.MaxSteps, MaxMemory: int64(c.MaxRunMemory),
	})
	if err != nil {
		return err
	}
	tk := startTicker(a, log)
	defer tk.Stop()
	go func() { <-ctx.Done(); tk.Stop() }() // no new ticks while the queue drains
	if err := a.load(); err != nil {
		return printProblems(os.Stderr, err, "; not serving")
	}
	w := &reload.Watcher{Dir: c.Scripts, Load: a.prepare, Serving: a.srv.Machine().Program(), Logger: log}
	go func() {
		if err := w.Run(ctx); err != nil {
			log.Error("hot reload stopped; restart to pick up changes", "err", err)
		}
	}()
	reloadOnHangup(ctx, w, log)
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
	// MaxMemory is runtime.Options.MaxMemory (0: the default).
	MaxMemory int64
}

// app is a wired server: deliveries from the environment, the builtins, the
// in-process spawn queue, and load functions: prepare checks without serving,
// load checks and swaps.
type app struct {
	srv     *httpserver.Server
	queue   *builtins.InProcess
	prepare func() (reload.Candidate, error)
	load    func() error
	sched   runtime.Scheduler // told the schedules on every commit; nil: none run
}

func newApp(c appConfig) (*app, error) {
	reg, err := newRegistry(c.Getenv, c.Data, c.Logger)
	if err != nil {
		return nil, err
	}
	a := &app{}
	a.queue = builtins.NewInProcess(func(ctx context.Context, job runtime.Job) error {
		return a.srv.Machine().RunSub(ctx, job)
	}, c.Logger)
	cfg := c.Server
	cfg.Logger, cfg.Getenv, cfg.Enqueue = c.Logger, c.Getenv, a.queue.Enqueue
	a.srv = httpserver.New(cfg)
	opts := runtime.Options{MaxSteps: c.MaxSteps, MaxMemory: c.MaxMemory, Getenv: c.Getenv, Logger: c.Logger, Spawner: queueSpawner{a.queue}}
	loader := lang.NewLoader(c.Dirs, builtins.Specs()) // a save re-parses only the files it changed
	a.prepare = func() (reload.Candidate, error) {
		prog, err := loader.Load()
		if err != nil {
			return reload.Candidate{}, err
		}
		m, err := runtime.New(prog, reg, opts)
		if err != nil {
			return reload.Candidate{}, err
		}
		return reload.Candidate{Program: prog, Commit: func() {
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
	return a, nil
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
