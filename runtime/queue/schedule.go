package queue

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// Schedules (ON SCHEDULE) run as River periodic jobs. Only the elected leader
// of the processes sharing a database enqueues them, one job per tick, and
// any process's workers run it. The tick is part of the job's arguments and
// the job is unique by them, so a tick enqueued twice (a leader change at the
// wrong moment) still runs once. Ticks missed while no process ran are not
// replayed. A tick is not retried: the next one comes; work that must be
// retried is SPAWNed.

// tickKind is the River job kind of one schedule tick.
const tickKind = "gbhook_schedule"

// tickArgs is one tick of one schedule, as River stores it.
type tickArgs struct {
	Schedule string    `json:"schedule"` // lang.Schedule.Key
	Cron     string    `json:"cron"`
	Tick     time.Time `json:"tick"` // UTC, so that every replica computes the same args
}

func (tickArgs) Kind() string { return tickKind }

// TickID is the request id of the tick of the schedule with key (a
// lang.Schedule.Key) at tick: it names the run in the logs and in what it
// SPAWNs.
func TickID(key string, tick time.Time) string {
	return "schedule-" + filepath.Base(key) + "-" + tick.UTC().Format("20060102T150405Z")
}

// tickUnique makes a tick unique by its arguments in every state, the failed
// ones included, for as long as River keeps the rows (a day; a month for
// failures).
var tickUnique = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStateCompleted, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	rivertype.JobStateCancelled, rivertype.JobStateDiscarded,
}}

// tickSchedule is a schedule as River's periodic enqueuer sees it. The
// enqueuer asks Next for a tick, waits for it, calls the constructor, then
// asks Next again from that tick: so the constructor's tick is the last
// answer of Next.
// It keeps its own parse of the expression, not the lang.Schedule, so that
// it holds no program in memory after a reload.
type tickSchedule struct {
	key, expr string
	sched     interface{ Next(time.Time) time.Time }
	mu        sync.Mutex
	next      time.Time
}

func newTickSchedule(s *lang.Schedule) (*tickSchedule, error) {
	sched, err := lang.ParseCron(s.Cron)
	if err != nil {
		return nil, err
	}
	return &tickSchedule{key: s.Key(), expr: s.Cron, sched: sched}, nil
}

func (t *tickSchedule) Next(now time.Time) time.Time {
	n := t.sched.Next(now)
	t.mu.Lock()
	t.next = n
	t.mu.Unlock()
	return n
}

func (t *tickSchedule) construct() (river.JobArgs, *river.InsertOpts) {
	t.mu.Lock()
	tick := t.next
	t.mu.Unlock()
	// No ScheduledAt: one set here would make the job "scheduled", left for
	// River's scheduler pass (every 5 s); the enqueuer sets the tick itself
	// on an available job.
	return tickArgs{Schedule: t.key, Cron: t.expr, Tick: tick.UTC()},
		&river.InsertOpts{MaxAttempts: 1, UniqueOpts: tickUnique}
}

// Scheduler implements runtime.Scheduler with River's periodic jobs: Update
// adds, changes and removes them as reloads change the program.
type Scheduler struct {
	q       *Queue
	mu      sync.Mutex
	running map[string]periodic // by ident
}

// periodic is one schedule added to River.
type periodic struct {
	handle rivertype.PeriodicJobHandle
	name   string // lang.Schedule.String, for the logs
}

var _ runtime.Scheduler = (*Scheduler)(nil)

// Scheduler gives the queue's scheduler. Every process sharing the database
// must keep it up to date (any of them may become the leader that enqueues).
func (q *Queue) Scheduler() (*Scheduler, error) {
	if q.cfg.Machine == nil {
		return nil, errors.New("queue: opened without a Machine; it cannot run schedules")
	}
	return &Scheduler{q: q, running: map[string]periodic{}}, nil
}

// ident is a schedule's identity across reloads: where it is and when it runs.
func ident(s *lang.Schedule) string { return s.Key() + "\x00" + s.Cron }

// Update adds the schedules that are new, removes those that are gone or
// changed (a tick of theirs already queued is skipped by its worker), and
// leaves the others on their current timers.
func (sc *Scheduler) Update(schedules []*lang.Schedule) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	want := map[string]*lang.Schedule{}
	for _, s := range schedules {
		want[ident(s)] = s
	}
	bundle := sc.q.b.periodic()
	var gone []rivertype.PeriodicJobHandle
	for id, p := range sc.running {
		if want[id] == nil {
			gone = append(gone, p.handle)
			delete(sc.running, id)
			sc.q.log.Info("schedule stopped", "schedule", p.name)
		}
	}
	bundle.RemoveMany(gone)
	now := time.Now()
	for id, s := range want {
		if _, ok := sc.running[id]; ok {
			continue
		}
		ts, err := newTickSchedule(s)
		var h rivertype.PeriodicJobHandle
		if err == nil {
			// RunOnStart false: ticks missed while no process ran are not replayed.
			h, err = bundle.AddSafely(river.NewPeriodicJob(ts, ts.construct, &river.PeriodicJobOpts{RunOnStart: false}))
		}
		if err != nil {
			sc.q.log.Error("schedule not started", "schedule", s.String(), "err", err.Error())
			continue
		}
		sc.running[id] = periodic{handle: h, name: s.String()}
		sc.q.log.Info("schedule started", "schedule", s.String(), "next", s.Next(now).Format(time.RFC3339))
	}
}

// tickWorker runs one tick on the current program.
type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	q *Queue
}

// Work runs the tick's schedule, if the program still has it, and stores what
// it SPAWNed in the transaction that marks the tick completed. Errors read
// file:line:col; a failed tick is not retried.
func (w *tickWorker) Work(ctx context.Context, job *river.Job[tickArgs]) error {
	a := job.Args
	id := TickID(a.Schedule, a.Tick)
	log := w.q.log.With("request_id", id, "job_id", job.ID)
	m := w.q.cfg.Machine()
	if m == nil {
		return river.JobCancel(errors.New("no program loaded yet"))
	}
	s := findSchedule(m.Program(), a)
	if s == nil {
		log.Warn("schedule tick skipped: a reload removed or changed that ON SCHEDULE",
			"schedule", a.Schedule, "cron", a.Cron)
		return river.JobCancel(fmt.Errorf("no ON SCHEDULE %q at %s any more", a.Cron, a.Schedule))
	}
	start := time.Now()
	jobs, err := m.RunSchedule(ctx, s, id)
	if err != nil {
		log.Error("schedule failed", "schedule", s.String(), "err", err.Error())
		return river.JobCancel(err)
	}
	if len(jobs) > 0 {
		params := make([]river.InsertManyParams, len(jobs))
		for i, j := range jobs {
			params[i] = river.InsertManyParams{Args: argsOf(j)}
		}
		if err := w.q.b.complete(ctx, job.JobRow, params); err != nil {
			log.Error("schedule's SPAWNs not queued", "schedule", s.String(), "err", err.Error())
			return river.JobCancel(err)
		}
	}
	log.Info("schedule ran", "schedule", s.String(), "tick", a.Tick.Format(time.RFC3339), "spawned", len(jobs),
		"took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// Timeout is a tick's deadline: a job's.
func (w *tickWorker) Timeout(*river.Job[tickArgs]) time.Duration { return w.q.cfg.JobTimeout }

// findSchedule finds the tick's schedule in prog: by its key, or by base name
// and line when the replica that enqueued it loaded the scripts from another
// path; with the same expression, or it is a different schedule now.
func findSchedule(prog *lang.Program, a tickArgs) *lang.Schedule {
	s := prog.ScheduleByKey(a.Schedule)
	if s == nil {
		s = prog.ScheduleByKey(filepath.Base(a.Schedule))
	}
	if s == nil || s.Cron != a.Cron {
		return nil
	}
	return s
}
