package lang

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is ON SCHEDULE "<cron>" DO ... END ON: a block run on a timer, with
// no request and no response. It may SPAWN.
type Schedule struct {
	P     Pos
	Cron  string // as written: five fields, a descriptor or @every, optionally CRON_TZ=<zone>
	Body  []Stmt
	Frame Frame

	cronPos Pos
	notLit  bool // reported by the converter
	sched   cron.Schedule
}

// Next is the first tick after t.
func (s *Schedule) Next(t time.Time) time.Time { return s.sched.Next(t) }

// Key names a schedule for `gbhook run-schedule FILE:LINE` and for the queue:
// the script's file name as loaded and the line of ON SCHEDULE.
func (s *Schedule) Key() string { return s.P.File + ":" + strconv.Itoa(s.P.Line) }

// String renders SCHEDULE "<cron>" file:line, as `gbhook routes` lists it.
func (s *Schedule) String() string { return "SCHEDULE " + quote(s.Cron) + " " + s.P.Short() }

// ScheduleByKey finds a schedule by its Key, or by base name and line
// (bot.bas:12) when that is unambiguous.
func (p *Program) ScheduleByKey(key string) *Schedule {
	var found *Schedule
	for _, s := range p.Schedules {
		if s.Key() == key {
			return s
		}
		if s.P.Short() == key {
			if found != nil {
				return nil
			}
			found = s
		}
	}
	return found
}

// ParseCron parses a schedule expression the way ON SCHEDULE does: five
// fields (minute hour day month weekday), a descriptor (@hourly, @daily,
// @weekly, @monthly, @yearly), @every <duration>, each optionally prefixed
// by CRON_TZ=<zone>.
func ParseCron(expr string) (sched cron.Schedule, err error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty expression")
	}
	if (strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=")) && !strings.Contains(expr, " ") {
		// robfig/cron slices past the zone's end here and panics.
		return nil, errors.New("a time zone (CRON_TZ=<zone>) must be followed by a space and the schedule")
	}
	// A script must never crash the checker, whatever else the library trips on.
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("cannot parse: %v", r)
		}
	}()
	return cron.ParseStandard(expr)
}

func (c *converter) schedule(g *gSchedule) *Schedule {
	s := &Schedule{P: posOf(g.Pos), cronPos: g.Cron.X.Position()}
	if lit, ok := g.Cron.X.(*StrLit); ok {
		s.Cron = lit.Value
	} else {
		s.notLit = true
		c.errs = append(c.errs, &Error{Pos: s.cronPos, Msg: `ON SCHEDULE takes a string literal, such as "*/5 * * * *"`})
	}
	s.Body = c.block(g.Body)
	return s
}

// checkSchedules parses every schedule's expression and checks its body.
// Several schedules may share an expression.
func (c *checker) checkSchedules(files []*File) []*Schedule {
	var all []*Schedule
	for _, f := range files {
		for _, s := range f.Schedules {
			sched, err := ParseCron(s.Cron)
			if err != nil && !s.notLit {
				c.errorf(s.cronPos, "bad schedule "+quote(s.Cron)+": "+err.Error())
			}
			s.sched = sched
			c.checkBlock(scheduleKind, "ON SCHEDULE "+quote(s.Cron), nil, nil, &s.Frame, s.Body)
			all = append(all, s)
		}
	}
	return all
}

// scheduleKind is the blockScope kind of ON SCHEDULE.
const scheduleKind = "SCHEDULE"

// exchangeInSchedule reports a request or response builtin written directly
// in ON SCHEDULE, which runs with neither.
func (c *checker) exchangeInSchedule(call *CallExpr, b Builtin) {
	if b.Exchange && c.block != nil && c.block.kind == scheduleKind {
		c.errorf(call.P, call.Name+" is for a webhook's request or response; ON SCHEDULE has neither")
	}
}
