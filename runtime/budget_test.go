package runtime

import (
	"context"
	"errors"
	goruntime "runtime"
	"testing"
)

// kilo is a script line that makes K$ 1 KiB long.
const kilo = `K$ = "x" : FOR J = 1 TO 10 : K$ = K$ + K$ : NEXT`

// Runs that would take gigabytes stop at the memory budget, with the place
// of the allocation that would pass it, long before the step budget.
func TestMemoryBudgetStopsRuns(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		src  string
		want string
	}{
		{"doubling loop", Options{}, `ON WEBHOOK POST TO "/t" DO
  S = "x" : FOR I = 1 TO 40 : S = S + S : NEXT
  PRINT S
END ON
`, "t.bas:2:37: memory budget exceeded"},
		{"doubling with ampersand", Options{}, `ON WEBHOOK POST TO "/t" DO
  S = "x"
  FOR I = 1 TO 40
    S = S & S
  NEXT
END ON
`, "t.bas:4:11: memory budget exceeded"},
		{"print a kilobyte a million times", Options{}, `ON WEBHOOK POST TO "/t" DO
  ` + kilo + `
  FOR I = 1 TO 1000000 : PRINT K$ : NEXT
END ON
`, "t.bas:3:26: memory budget exceeded"},
		{"small budget", Options{MaxMemory: 8192}, `ON WEBHOOK POST TO "/t" DO
  ` + kilo + `
  S = K$ + K$ + K$
  T = S + K$
END ON
`, "t.bas:4:9: memory budget exceeded"},
		{"json concatenation counts", Options{MaxMemory: 5000}, `ON WEBHOOK POST TO "/t" DO
  ` + kilo + `
  J = JSONLIT("""" + K$ + """")
  T = J + "."
END ON
`, "t.bas:4:9: memory budget exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after goruntime.MemStats
			goruntime.ReadMemStats(&before)
			got := runScript(t, tc.opts, tc.src)
			goruntime.ReadMemStats(&after)
			if got != "error: "+tc.want {
				t.Errorf("got %q, want %q", got, "error: "+tc.want)
			}
			// The budget counts what the run allocates: a run never gets far
			// past it (64 MiB by default; the test harness adds a little).
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 160<<20 {
				t.Errorf("the run allocated %d MiB", grew>>20)
			}
		})
	}
}

// A budget error is a runtime error at its place, answered 503.
func TestMemoryBudgetIs503(t *testing.T) {
	prog := checked(t, `ON WEBHOOK POST TO "/t" DO
  `+kilo+`
END ON
`)
	m := machineOf(t, prog, testReg, Options{MaxMemory: 1000})
	_, _, err := m.Exec(context.Background(), prog.Handlers[0], &Request{}, "r")
	var re *Error
	if !errors.As(err, &re) || !errors.Is(err, ErrMemoryBudget) || StatusOf(err) != 503 {
		t.Errorf("got %v (status %d), want a positioned ErrMemoryBudget, 503", err, StatusOf(err))
	}
}

// Comparing or joining long strings counts as work (a step per 64 bytes):
// a loop of them meets the step budget at the operator, long before 1024
// iterations would.
func TestLongOperandsCountSteps(t *testing.T) {
	for _, tc := range []struct{ op, col string }{ // col: the operator's
		{"=", "30"}, {"<>", "30"}, {"<", "30"}, {">=", "30"}, {"+", "30"}, {"&", "30"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			src := `ON WEBHOOK POST TO "/t" DO
  ` + kilo + `
  FOR J = 1 TO 7 : K$ = K$ + K$ : NEXT
  L$ = K$ + ""
  FOR J = 1 TO 1000 : X = K$ ` + tc.op + ` L$ : NEXT
  PRINT "done"
END ON
`
			got := runScript(t, Options{MaxSteps: 20000}, src)
			want := "error: t.bas:5:" + tc.col + ": step budget exceeded"
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// Alloc and Work on a nil thread (constant folding) count nothing.
func TestAllocOnNilThread(t *testing.T) {
	var th *Thread
	if err := th.Alloc(1 << 40); err != nil {
		t.Error(err)
	}
	if err := th.Work(1 << 40); err != nil {
		t.Error(err)
	}
}

// Work skips texts under 64 bytes: they count no step, and no checkpoint
// can be due then, because every call that counts steps (tick, Alloc, Work,
// the append runs' and mapped calls' sums) looks at the next checkpoint
// when it passes it. Random sequences of them, under step budgets and
// deadlines around the checkpoints, keep steps below nextCheck after every
// call that succeeds, and Work of under 64 bytes changes nothing.
func TestWorkUnder64BytesNeedsNoCheck(t *testing.T) {
	h := handler(&frame{})
	for _, maxSteps := range []int{1, 2, 63, 64, 65, 1023, 1024, 1025, 3000} {
		m := machine(t, Options{MaxSteps: maxSteps, MaxMemory: 1 << 40}, h)
		rng := uint64(maxSteps)
		for round := 0; round < 200; round++ {
			th := m.newThread(context.Background(), nil, "", nil)
			for i := 0; i < 400; i++ {
				rng = rng*6364136223846793005 + 1442695040888963407
				n := int(rng>>33) % 300
				var err error
				switch rng >> 62 {
				case 0:
					err = th.tick(&p0)
				case 1:
					err = th.Alloc(n)
				default:
					steps, next := th.steps, th.nextCheck
					if err = th.Work(n); n < 64 && (err != nil || th.steps != steps || th.nextCheck != next) {
						t.Fatalf("MaxSteps %d: Work(%d) changed steps %d -> %d, next %d -> %d, err %v",
							maxSteps, n, steps, th.steps, next, th.nextCheck, err)
					}
				}
				if err != nil {
					break
				}
				if th.steps >= th.nextCheck {
					t.Fatalf("MaxSteps %d: after a call, steps %d with the next checkpoint at %d", maxSteps, th.steps, th.nextCheck)
				}
			}
			m.done(th)
		}
	}
}
