package runtime

import (
	"context"
	"errors"
	"testing"
)

// runScript checks src (as t.bas) with the test builtins and runs its first
// handler; it gives the body, or "error: " and the error text.
func runScript(t *testing.T, opts Options, src string) string {
	t.Helper()
	prog := checked(t, src)
	m := machineOf(t, prog, testReg, opts)
	resp, _, err := m.Exec(context.Background(), prog.Handlers[0], &Request{}, "r")
	if err != nil {
		return "error: " + err.Error()
	}
	return string(resp.Body)
}

func TestScripts(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"precedence", `ON WEBHOOK POST TO "/t" DO
  PRINT 10 - 4 - 3; ","; 2 ^ 3 ^ 2; ","; -2 ^ 2; ","; 1 + 2 * 3; ","; 7 MOD 3
END ON
`, "3,512,-4,7,1"},
		{"plus and amp", `ON WEBHOOK POST TO "/t" DO
  A$ = "1" : B = 2
  PRINT A$ + B; " "; B + B; " "; B & B; " "; 0.1 + 0.2
END ON
`, "12 4 22 0.30000000000000004"},
		{"factorial", `FUNCTION FACT(N)
  IF N <= 1 THEN RETURN 1
  RETURN N * FACT(N - 1)
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  PRINT FACT(10)
END ON
`, "3628800"},
		{"loops", `ON WEBHOOK POST TO "/t" DO
  FOR I = 3 TO 1 STEP -1
    FOR J = 1 TO 3
      IF J = 2 THEN EXIT FOR
      PRINT I; J; " "
    NEXT J
  NEXT I
  K = 0
  DO WHILE K < 10
    K = K + 1
    IF K = 4 THEN EXIT DO
  LOOP
  PRINT K
END ON
`, "31 21 11 4"},
		{"select", `ON WEBHOOK POST TO "/t" DO
  FOR EACH D IN JSONLIT("[1, 2, 3, ""x""]")
    SELECT CASE D
      CASE 1, 2
        PRINT "low "
      CASE 3
        PRINT "three "
      CASE ELSE
        PRINT "else "
    END SELECT
  NEXT
END ON
`, "low low three else "},
		{"sub in expression", `SUB GREET(W$)
  PRINT "hi " + W$
END SUB

ON WEBHOOK POST TO "/t" DO
  GREET "a"
  CALL GREET("b")
END ON
`, "hi ahi b"},
		{"unassigned", `ON WEBHOOK POST TO "/t" DO
  IF 1 = 2 THEN X$ = "y"
  PRINT X$
END ON
`, "error: t.bas:3:9: variable X$ is not assigned"},
		{"step budget", `ON WEBHOOK POST TO "/t" DO
  X = 0
  WHILE 1
    X = X + 1
  WEND
END ON
`, "error: t.bas:3:3: step budget exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.name, runScript(t, Options{MaxSteps: 1000}, tc.src), tc.want)
		})
	}
}

func TestScriptRecursionLimit(t *testing.T) {
	src := `FUNCTION DEEP(N)
  RETURN DEEP(N + 1)
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  PRINT DEEP(0)
END ON
`
	check(t, "deep", runScript(t, Options{}, src), "error: t.bas:2:10: recursion too deep")
	prog := checked(t, src)
	m := machineOf(t, prog, testReg, Options{})
	_, _, err := m.Exec(context.Background(), prog.Handlers[0], &Request{}, "r")
	if !errors.Is(err, ErrRecursion) || StatusOf(err) != 500 {
		t.Errorf("recursion: %v", err)
	}
}
