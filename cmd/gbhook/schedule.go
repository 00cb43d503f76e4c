package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/queue"
	"github.com/gbhook/gbhook/runtime/secret"
)

// scheduleTimeout is the deadline of one schedule tick: a job's.
const scheduleTimeout = time.Minute

// newRegistry wires the builtins to the deliveries and the outbound HTTP
// client configured in the environment.
func newRegistry(getenv func(string) string, data string, log *slog.Logger,
	wrap func(delivery.Mailer, delivery.WhatsApp, delivery.LLM) (delivery.Mailer, delivery.WhatsApp, delivery.LLM),
	onHTTP func(context.Context, delivery.HTTPCall)) (runtime.Registry, error) {
	mailer, wa, llm, err := delivery.FromEnv(delivery.Config{Getenv: getenv, DataDir: data,
		Redact: secret.NewRedactor(getenv).Redact})
	if err != nil {
		return nil, err
	}
	if wrap != nil { // the history records each delivery
		mailer, wa, llm = wrap(mailer, wa, llm)
	}
	hc, err := delivery.HTTPConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	client := delivery.NewHTTPClient(hc)
	client.OnCall = onHTTP // the history records each call
	return builtins.Registry(builtins.Deps{Mailer: mailer, WhatsApp: wa, LLM: llm, Logger: log,
		HTTP: client}), nil
}

// runTick runs one tick of the schedule with key on machine m now, for
// run-schedule (serve's ticks are the queue's periodic jobs), with a job's
// deadline, and hands what it SPAWNs to enqueue. Its error reads file:line:col.
func runTick(ctx context.Context, m *runtime.Machine, key string, tick time.Time,
	enqueue func(context.Context, []runtime.Job) error, log *slog.Logger) error {
	s := m.Program().ScheduleByKey(key)
	if s == nil {
		return fmt.Errorf("no ON SCHEDULE at %s", key)
	}
	ctx, cancel := context.WithTimeout(ctx, scheduleTimeout)
	defer cancel()
	id := queue.TickID(key, tick)
	start := time.Now()
	jobs, err := m.RunSchedule(ctx, s, id)
	if err != nil {
		log.Error("schedule failed", "schedule", s.String(), "request_id", id, "err", err.Error())
		return err
	}
	if len(jobs) > 0 {
		if err := enqueue(ctx, jobs); err != nil {
			log.Error("schedule's SPAWNs not queued", "schedule", s.String(), "request_id", id, "err", err.Error())
			return err
		}
	}
	log.Info("schedule ran", "schedule", s.String(), "request_id", id, "spawned", len(jobs),
		"duration_ms", time.Since(start).Milliseconds())
	return nil
}

// RunScheduleCmd is `gbhook run-schedule FILE:LINE`: one tick now, for testing.
type RunScheduleCmd struct {
	Target  string `arg:"" help:"The schedule as FILE:LINE, as gbhook routes lists it (e.g. scripts/report.bas:3 or report.bas:3)."`
	Scripts string `help:"Directory of .bas scripts." default:"./scripts" env:"GBHOOK_SCRIPTS"`
	Data    string `help:"Data directory (the development outbox)." default:"./data" env:"GBHOOK_DATA"`
}

// maxInlineJobs bounds the SPAWN chain run-schedule follows in-process.
const maxInlineJobs = 1000

// Run runs the tick, then the SUBs it SPAWNs (and theirs) one after another.
func (c *RunScheduleCmd) Run() error {
	if err := checkScriptsDir(c.Scripts); err != nil {
		return err
	}
	if err := checkWritable(c.Data); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	reg, err := newRegistry(os.Getenv, c.Data, log, nil, nil)
	if err != nil {
		return err
	}
	prog, err := lang.LoadDirs([]string{c.Scripts}, builtins.Specs())
	if err != nil {
		return printProblems(os.Stderr, err, "")
	}
	s := findSchedule(prog, c.Target)
	if s == nil {
		return fmt.Errorf("no ON SCHEDULE at %s (gbhook routes lists them)", c.Target)
	}
	var pending []runtime.Job
	collect := func(_ context.Context, jobs []runtime.Job) error { pending = append(pending, jobs...); return nil }
	m, err := runtime.New(prog, reg, runtime.Options{Getenv: os.Getenv, Logger: log})
	if err != nil {
		return err
	}
	if err := runTick(context.Background(), m, s.Key(), time.Now(), collect, log); err != nil {
		return err
	}
	for n := 0; len(pending) > 0; n++ {
		if n == maxInlineJobs {
			return fmt.Errorf("stopped after %d spawned jobs", maxInlineJobs)
		}
		job := pending[0]
		pending = pending[1:]
		ctx, cancel := context.WithTimeout(context.Background(), scheduleTimeout)
		jobs, err := m.RunSub(ctx, job)
		cancel()
		if err != nil {
			return err
		}
		pending = append(pending, jobs...)
	}
	fmt.Println("ran " + s.String())
	return nil
}

// findSchedule matches FILE:LINE by the key, the base name, or the file's
// absolute path.
func findSchedule(prog *lang.Program, target string) *lang.Schedule {
	if s := prog.ScheduleByKey(target); s != nil {
		return s
	}
	i := strings.LastIndexByte(target, ':')
	line, err := strconv.Atoi(target[i+1:])
	if i < 0 || err != nil {
		return nil
	}
	want, err := filepath.Abs(target[:i])
	if err != nil {
		return nil
	}
	for _, s := range prog.Schedules {
		if abs, err := filepath.Abs(s.P.File); err == nil && abs == want && s.P.Line == line {
			return s
		}
	}
	return nil
}

// scheduleLines renders the schedules for `gbhook routes`, with the next run.
func scheduleLines(prog *lang.Program, now time.Time) []string {
	var out []string
	for _, s := range prog.Schedules {
		out = append(out, s.String()+" next "+s.Next(now).Format(time.RFC3339))
	}
	return out
}
