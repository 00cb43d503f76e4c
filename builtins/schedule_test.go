package builtins

import (
	"context"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/runtime"
)

// A schedule tick runs with no request: it logs, SPAWNs (the jobs come back
// to the host), and a SUB it CALLs that reads the request fails at run time.
func TestRunSchedule(t *testing.T) {
	src := "ON SCHEDULE \"@every 1s\" DO\n  LOG \"tick\"\n  SPAWN LATER 7\nEND ON\n" +
		"ON SCHEDULE \"@daily\" DO\n  CALL PEEK\nEND ON\n" +
		"SUB LATER(N)\n  LOG N\nEND SUB\nSUB PEEK\n  X = GET HEADER \"a\"\nEND SUB\n"
	m, env := subMachine(t, src)
	if len(m.Schedules()) != 2 {
		t.Fatalf("%d schedules", len(m.Schedules()))
	}
	jobs, err := m.RunSchedule(context.Background(), m.Schedules()[0], "sched-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Sub != "LATER" || jobs[0].Args[0] != runtime.Num(7) || jobs[0].RequestID != "sched-1" {
		t.Errorf("jobs %+v", jobs)
	}
	if got := strings.Join(env.logLines(), "\n"); got != `level=INFO msg=tick request_id=sched-1 at=t.bas:2` {
		t.Errorf("log %q", got)
	}
	_, err = m.RunSchedule(context.Background(), m.Schedules()[1], "sched-2")
	if want := "t.bas:12:7: GET HEADER: there is no request here (a spawned SUB runs after the response)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
