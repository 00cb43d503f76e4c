package runtime

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
)

// factorial: FUNCTION FACT(N) / IF N <= 1 THEN RETURN 1 / RETURN N * FACT(N - 1)
func factorial() *lang.Proc {
	f := &frame{}
	p := f.proc(lang.KindFunction, "FACT", "N")
	f.finish(p,
		ifThen(bin(lang.OpLe, f.v("N"), num(1)), []lang.Stmt{ret(num(1))}),
		ret(bin(lang.OpMul, f.v("N"), call(p0, p, bin(lang.OpSub, f.v("N"), num(1))))),
	)
	return p
}

func TestRecursion(t *testing.T) {
	fact := factorial()
	f := &frame{}
	h := handler(f, out(call(p0, fact, num(10))))
	resp, _, err := machine(t, Options{}, h, fact).Exec(context.Background(), h, &Request{}, "r")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "10!", string(resp.Body), "3628800")

	// FUNCTION DEEP(N) / RETURN DEEP(N + 1), with the call at 3:12.
	df := &frame{}
	deep := df.proc(lang.KindFunction, "DEEP", "N")
	df.finish(deep, ret(call(at(3, 12), deep, bin(lang.OpAdd, df.v("N"), num(1)))))
	h = handler(f, out(call(at(9, 1), deep, num(0))))
	_, _, err = machine(t, Options{MaxDepth: 50}, h, deep).Exec(context.Background(), h, &Request{}, "r")
	check(t, "depth", errString(err), "t.bas:3:12: recursion too deep")
	if !errors.Is(err, ErrRecursion) || StatusOf(err) != 500 {
		t.Errorf("depth error: Is=%v status=%d", errors.Is(err, ErrRecursion), StatusOf(err))
	}
	// The default limit (1000) holds too.
	_, _, err = machine(t, Options{}, h, deep).Exec(context.Background(), h, &Request{}, "r")
	check(t, "default depth", errString(err), "t.bas:3:12: recursion too deep")
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestReturnFromNestedBlocks(t *testing.T) {
	// FUNCTION FIND(N): FOR I..: WHILE 1: IF I = N THEN RETURN I * 10 ...: RETURN -1
	pf := &frame{}
	find := pf.proc(lang.KindFunction, "FIND", "N")
	pf.finish(find,
		pf.forLoop("I", num(1), num(5), nil,
			while(p0, lang.LoopWhile, num(1),
				ifThen(bin(lang.OpEq, pf.v("I"), pf.v("N")), []lang.Stmt{ret(bin(lang.OpMul, pf.v("I"), num(10)))}),
				exit(lang.ExitWhile),
			),
		),
		ret(neg(num(1))),
	)
	// FUNCTION NOTHING: (no RETURN value) ; SUB S(X): PRINT X: RETURN: PRINT "no"
	nf := &frame{}
	nothing := nf.proc(lang.KindFunction, "NOTHING")
	nf.finish(nothing, ret(nil))
	sf := &frame{}
	sub := sf.proc(lang.KindSub, "S", "X")
	sf.finish(sub, out(sf.v("X")), &lang.Return{P: p0}, out(str("no")))

	f := &frame{}
	h := handler(f,
		out(call(p0, find, num(3)), str(","), call(p0, find, num(9)), str(",")),
		out(str("["), call(p0, nothing), str("]")),
		do(call(p0, sub, str("s"))),
		out(str("["), call(p0, sub, str("t")), str("]")),
		&lang.Return{P: p0},
		out(str("unreached")),
	)
	resp, _, err := machine(t, Options{}, h, find, nothing, sub).Exec(context.Background(), h, &Request{}, "r")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "returns", string(resp.Body), "30,-1,[]st[]") // S prints while PRINT's arguments are evaluated
}

func TestLocalsPerInvocation(t *testing.T) {
	// SUB COUNT(N): IF N > 0 THEN X = N: COUNT N - 1: PRINT X
	pf := &frame{}
	sub := pf.proc(lang.KindSub, "COUNT", "N")
	pf.finish(sub, ifThen(bin(lang.OpGt, pf.v("N"), num(0)), []lang.Stmt{
		pf.set("X", pf.v("N")),
		do(call(p0, sub, bin(lang.OpSub, pf.v("N"), num(1)))),
		out(pf.v("X")),
	}))
	f := &frame{}
	h := handler(f, f.set("X", str("outer")), do(call(p0, sub, num(3))), out(f.v("X")))
	resp, _, err := machine(t, Options{}, h, sub).Exec(context.Background(), h, &Request{}, "r")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "locals", string(resp.Body), "123outer")
}

func TestStepBudget(t *testing.T) {
	f := &frame{}
	// line 3: WHILE 1 / X = 1 / WEND
	h := handler(f, f.set("X", num(0)), while(at(3, 5), lang.LoopWhile, num(1), f.set("X", num(1))))
	_, _, err := machine(t, Options{MaxSteps: 100}, h).Exec(context.Background(), h, &Request{}, "r")
	check(t, "budget", errString(err), "t.bas:3:5: step budget exceeded")
	if !errors.Is(err, ErrStepBudget) || StatusOf(err) != 503 {
		t.Errorf("budget: Is=%v status=%d", errors.Is(err, ErrStepBudget), StatusOf(err))
	}
	// Exactly at the budget is fine: 1 statement + 3 iterations + 2 bodies.
	f2 := &frame{}
	h2 := handler(f2, f2.forLoop("I", num(1), num(2), nil, f2.set("X", num(1))))
	if _, _, err := machine(t, Options{MaxSteps: 5}, h2).Exec(context.Background(), h2, &Request{}, "r"); err != nil {
		t.Errorf("at budget: %v", err)
	}
	if _, _, err := machine(t, Options{MaxSteps: 4}, h2).Exec(context.Background(), h2, &Request{}, "r"); !errors.Is(err, ErrStepBudget) {
		t.Errorf("over budget: %v", err)
	}
}

func TestDeadline(t *testing.T) {
	f := &frame{}
	h := handler(f, while(at(2, 1), lang.LoopWhile, num(1)))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := machine(t, Options{MaxSteps: 1 << 60}, h).Exec(ctx, h, &Request{}, "r")
	check(t, "deadline", errString(err), "t.bas:2:1: deadline exceeded")
	if !errors.Is(err, ErrDeadline) || StatusOf(err) != 503 {
		t.Errorf("deadline: Is=%v status=%d", errors.Is(err, ErrDeadline), StatusOf(err))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopped after %v", d)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, _, err = machine(t, Options{}, h).Exec(ctx, h, &Request{}, "r")
	check(t, "canceled", errString(err), "t.bas:2:1: run canceled")
}

func TestResponse(t *testing.T) {
	f := &frame{}
	run := func(body ...lang.Stmt) *Response {
		t.Helper()
		h := handler(f, body...)
		resp, _, err := machine(t, Options{}, h).Exec(context.Background(), h, &Request{}, "r")
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	r := run(out(str(`<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi</Say></Response>`)))
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/xml; charset=utf-8" {
		t.Errorf("twiml: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	r = run(out(str("hello")), do(bi("SET RESPONSE STATUS", num(201))))
	check(t, "text", r.Header.Get("Content-Type"), "text/plain; charset=utf-8")
	if r.Status != 201 {
		t.Errorf("status %d", r.Status)
	}
	r = run(do(bi("SET RESPONSE HEADER", str("content-type"), str("application/json"))), out(str("<p>")))
	check(t, "explicit type", r.Header.Get("Content-Type"), "application/json")
	r = run()
	if r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
		t.Errorf("empty: %+v", r)
	}
}

func TestSpawn(t *testing.T) {
	sf := &frame{}
	sub := sf.proc(lang.KindSub, "NOTIFY OWNER", "TEXT$", "N")
	sf.finish(sub, out(sf.v("TEXT$"), sf.v("N")))
	f := &frame{}
	spawn := &lang.Spawn{P: p0, Call: call(p0, sub, str("hi"), bin(lang.OpAdd, num(1), num(1)))}
	h := handler(f, spawn, spawn, out(str("ok")))
	m := machine(t, Options{}, h, sub)
	resp, jobs, err := m.Exec(context.Background(), h, &Request{}, "req-7")
	if err != nil || string(resp.Body) != "ok" || len(jobs) != 2 {
		t.Fatalf("spawn: %v %v %v", resp, jobs, err)
	}
	j := jobs[0]
	if j.Sub != "NOTIFY OWNER" || j.RequestID != "req-7" || j.Pos != p0 || len(j.Args) != 2 || j.Args[0] != Str("hi") || j.Args[1] != Num(2) {
		t.Errorf("job: %+v", j)
	}
	// The job runs through RunSub.
	if _, err := m.RunSub(context.Background(), j); err != nil {
		t.Errorf("RunSub: %v", err)
	}
	_, err = m.RunSub(context.Background(), Job{Sub: "NOPE", Pos: at(9, 5)})
	check(t, "no such SUB", errString(err), "t.bas:9:5: SPAWN of NOPE: the current program has no SUB named NOPE")
	_, err = m.RunSub(context.Background(), Job{Sub: "NOTIFY OWNER", Pos: at(3, 2)})
	check(t, "arity", errString(err),
		"t.bas:3:2: SPAWN of NOTIFY OWNER: SUB NOTIFY OWNER now takes 2 arguments, the job has 0")

	// A failing run gives no jobs and no response.
	h2 := handler(f, spawn, do(bi("FAIL")))
	resp, jobs, err = machine(t, Options{}, h2, sub).Exec(context.Background(), h2, &Request{}, "r")
	if resp != nil || jobs != nil || err == nil {
		t.Errorf("failed run: %v %v %v", resp, jobs, err)
	}
}

func TestRunSubWithoutRequest(t *testing.T) {
	sf := &frame{}
	sub := sf.proc(lang.KindSub, "S")
	sf.finish(sub, out(biAt(at(6, 3), "GET FORM VALUE", str("x"))))
	h := handler(&frame{})
	_, err := machine(t, Options{}, h, sub).RunSub(context.Background(), Job{Sub: "S"})
	check(t, "no request", errString(err), "t.bas:6:3: GET FORM VALUE: there is no request here")
}

func TestBuiltinErrors(t *testing.T) {
	f := &frame{}
	h := handler(f, out(biAt(at(4, 8), "GRAPH")))
	_, _, err := machine(t, Options{}, h).Exec(context.Background(), h, &Request{}, "r")
	check(t, "graph", errString(err), "t.bas:4:8: graph said no")
	var ce *customErr
	if !errors.As(err, &ce) || ce.code != 131047 || StatusOf(err) != 500 {
		t.Errorf("errors.As through: %v", err)
	}
	var re *Error
	if !errors.As(err, &re) || re.Pos != at(4, 8) || re.Msg != "graph said no" {
		t.Errorf("runtime.Error: %+v", re)
	}

	req := &Request{Header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte("a=%zz")}
	h = handler(f, out(biAt(at(2, 2), "GET FORM VALUE", str("a"))))
	_, _, err = machine(t, Options{}, h).Exec(context.Background(), h, req, "r")
	check(t, "bad form", errString(err), `t.bas:2:2: unreadable form body: invalid URL escape "%zz"`)
	if !errors.Is(err, ErrBadRequest) || StatusOf(err) != 400 {
		t.Errorf("bad form: Is=%v status=%d", errors.Is(err, ErrBadRequest), StatusOf(err))
	}
}

func TestNewMissingBuiltins(t *testing.T) {
	prog := &lang.Program{Builtins: testBuiltins}
	_, err := New(prog, fakeReg{"PRINT": testReg["PRINT"], "FAIL": testReg["FAIL"]}, Options{})
	want := "runtime: no implementation for builtins: JSONLIT, GET FORM VALUE, SET RESPONSE STATUS, SET RESPONSE HEADER, GRAPH, LOG, ESC, PLUS"
	check(t, "missing", errString(err), want)
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	f := &frame{}
	h := handler(f, do(biAt(at(12, 3), "LOG", str("hello"))))
	m := machine(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))}, h)
	if _, _, err := m.Exec(context.Background(), h, &Request{}, "abc123"); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, "request_id=abc123") || !strings.Contains(s, "at=t.bas:12") {
		t.Errorf("log line: %s", s)
	}
}

func TestHandlerNotInProgram(t *testing.T) {
	h := handler(&frame{})
	m := machine(t, Options{}, h)
	other := handler(&frame{})
	if _, _, err := m.Exec(context.Background(), other, &Request{}, "r"); err == nil {
		t.Error("foreign handler ran")
	}
}

func TestConcurrentExec(t *testing.T) {
	fact := factorial()
	f := &frame{}
	h := handler(f, f.set("X", call(p0, fact, num(12))), out(f.v("X")))
	m := machine(t, Options{}, h, fact)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				resp, _, err := m.Exec(context.Background(), h, &Request{}, "r")
				if err == nil && string(resp.Body) != "479001600" {
					err = errors.New("wrong body " + string(resp.Body))
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// One run may SPAWN at most MaxSpawns jobs; the next SPAWN is a runtime error
// at its line (a million SPAWNs once meant a million goroutines).
func TestSpawnLimit(t *testing.T) {
	sf := &frame{}
	sub := sf.proc(lang.KindSub, "S")
	sf.finish(sub)
	f := &frame{}
	spawn := &lang.Spawn{P: at(5, 3), Call: call(at(5, 9), sub)}
	h := handler(f, spawn, spawn, spawn)
	_, jobs, err := machine(t, Options{MaxSpawns: 2}, h, sub).Exec(context.Background(), h, &Request{}, "r")
	check(t, "limit", errString(err), "t.bas:5:3: SPAWN limit of 2 jobs per run exceeded")
	if jobs != nil {
		t.Errorf("a failed run returned %d jobs", len(jobs))
	}
	h2 := handler(f, spawn, spawn)
	if _, jobs, err := machine(t, Options{MaxSpawns: 2}, h2, sub).Exec(context.Background(), h2, &Request{}, "r"); err != nil || len(jobs) != 2 {
		t.Errorf("at the limit: %d jobs, %v", len(jobs), err)
	}
}
