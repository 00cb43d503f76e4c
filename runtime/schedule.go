package runtime

import (
	"context"
	"fmt"

	"github.com/gbhook/gbhook/lang"
)

// Schedules (ON SCHEDULE) run like a spawned job: no request, no response,
// the budgets and deadline the host gives a job through ctx. What runs them
// on time (the queue's periodic jobs) is the host's business: the
// machine only runs one tick when asked.

func (m *Machine) compileSchedules(c *compiler) error {
	m.sched = map[*lang.Schedule]*code{}
	for _, s := range m.prog.Schedules {
		body, err := c.block(s.Body)
		if err != nil {
			return err
		}
		m.sched[s] = &code{size: s.Frame.Size(), body: body}
	}
	return nil
}

// Schedules are the program's ON SCHEDULE blocks, in file and line order.
func (m *Machine) Schedules() []*lang.Schedule { return m.prog.Schedules }

// RunSchedule runs one tick of s. It returns the jobs the tick SPAWNed, for
// the host to queue, as Exec does; on error there are none.
func (m *Machine) RunSchedule(ctx context.Context, s *lang.Schedule, requestID string) ([]Job, error) {
	c := m.sched[s]
	if c == nil {
		return nil, fmt.Errorf("runtime: schedule %s is not part of this program", s)
	}
	th := m.newThread(ctx, nil, requestID, nil)
	defer m.done(th)
	base := th.reserve(c.size)
	if _, err := c.body.exec(th, th.stack[base:base+c.size:base+c.size]); err != nil {
		return nil, err
	}
	return th.spawned, nil
}

// Scheduler keeps what fires schedules in step with the loaded program: the
// host calls Update with Machine.Schedules after every successful load, so
// that a reload adds, changes and removes schedules without a restart. A
// schedule is known by its Key and expression; when either changes it is a
// new schedule.
type Scheduler interface {
	Update(schedules []*lang.Schedule)
}
