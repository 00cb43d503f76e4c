package builtins

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// subMachine checks src as t.bas with the real table and builds a machine
// whose log and messages go to env.
func subMachine(t *testing.T, src string) (*runtime.Machine, *goldenEnv) {
	t.Helper()
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
	if err != nil {
		t.Fatal(err)
	}
	env := newGoldenEnv(t, nil)
	m, err := runtime.New(prog, Registry(env.deps()), env.options())
	if err != nil {
		t.Fatal(err)
	}
	return m, env
}

// A spawned SUB runs after the response: request and response builtins fail
// there, naming themselves, at the call's position.
func TestRequestBuiltinsInSpawnedSub(t *testing.T) {
	calls := []struct{ call, name string }{
		{`X = GET FORM VALUE "a"`, "GET FORM VALUE"},
		{`X = GET QUERY VALUE "a"`, "GET QUERY VALUE"},
		{`X = GET HEADER "a"`, "GET HEADER"},
		{`X = GET PATH VALUE "a"`, "GET PATH VALUE"},
		{`X = GET REQUEST BODY`, "GET REQUEST BODY"},
		{`X = GET REQUEST METHOD`, "GET REQUEST METHOD"},
		{`X = GET REQUEST PATH`, "GET REQUEST PATH"},
		{`PRINT "a"`, "PRINT"},
		{`SET RESPONSE HEADER "A" TO "b"`, "SET RESPONSE HEADER"},
		{`SET RESPONSE STATUS TO 200`, "SET RESPONSE STATUS"},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			src := "SUB LATER(A$)\n  " + c.call + "\nEND SUB\n"
			m, _ := subMachine(t, src)
			_, err := m.RunSub(context.Background(), runtime.Job{Sub: "LATER", Args: []runtime.Value{runtime.Str("x")}})
			col := strings.Index(c.call, strings.Fields(c.name)[0]) + 3
			want := fmt.Sprintf("t.bas:2:%d: %s: there is no ", col, c.name)
			if err == nil || !strings.HasPrefix(err.Error(), want) || runtime.StatusOf(err) != 500 {
				t.Errorf("got %v, want prefix %q (500)", err, want)
			}
		})
	}
}

// A spawned SUB logs with the job's request id and delivers messages.
func TestSpawnedSubLogsAndSends(t *testing.T) {
	src := "SUB LATER(TO$, N)\n  LOG \"job \" & N\n  SEND WHATSAPP TO TO$ WITH \"n=\" + N\nEND SUB\n"
	m, env := subMachine(t, src)
	job := runtime.Job{Sub: "LATER", Args: []runtime.Value{runtime.Str("447700900123"), runtime.Num(3)}, RequestID: "req-7"}
	if _, err := m.RunSub(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(env.logLines(), "\n") + "\n" + strings.Join(env.sent, "\n")
	want := `level=INFO msg="job 3" request_id=req-7 at=t.bas:2
level=INFO msg="whatsapp sent" request_id=req-7 to=447700900123 where=memory at=t.bas:3
whatsapp: to="447700900123" text="n=3"`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A SUB run by RunSub returns its own SPAWNs, with their positions, for the
// queue to store as it completes the job.
func TestSpawnFromSpawnedSub(t *testing.T) {
	src := "SUB FIRST(N)\n  SPAWN SECOND N + 1\nEND SUB\nSUB SECOND(N)\n  LOG N\nEND SUB\n"
	m, _ := subMachine(t, src)
	job := runtime.Job{Sub: "FIRST", Args: []runtime.Value{runtime.Num(1)}, RequestID: "r"}
	jobs, err := m.RunSub(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Sub != "SECOND" || jobs[0].Args[0] != runtime.Num(2) || jobs[0].RequestID != "r" ||
		jobs[0].Pos.String() != "t.bas:2:3" {
		t.Errorf("spawned %#v", jobs)
	}
}

// A run whose context ends is stopped and answers 503 with its position.
func TestDeadlineAnswers503(t *testing.T) {
	m, _ := subMachine(t, "ON WEBHOOK POST TO \"/t\" DO\n  DO WHILE 1 = 1\n  LOOP\nEND ON\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := m.Exec(ctx, m.Program().Handlers[0], &runtime.Request{Method: "POST", Path: "/t"}, "r")
	var re *runtime.Error
	if !errors.As(err, &re) || runtime.StatusOf(err) != 503 || re.Pos.Line != 2 {
		t.Errorf("got %v (status %d), want 503 at line 2", err, runtime.StatusOf(err))
	}
}
