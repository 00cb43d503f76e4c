package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// runBoth runs src's first handler as compiled (chains and append runs) and
// as compiled with one string per operator, the way before concat.go.
func runBoth(t *testing.T, opts Options, src string) (got, plain string) {
	t.Helper()
	prog := checked(t, src)
	run := func(m *Machine) string {
		resp, _, err := m.Exec(context.Background(), prog.Handlers[0], &Request{}, "r")
		if err != nil {
			return "error: " + err.Error()
		}
		return string(resp.Body)
	}
	m := machineOf(t, prog, testReg, opts)
	ref, err := New(prog, testReg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.compileWith(true); err != nil {
		t.Fatal(err)
	}
	return run(m), run(ref)
}

// String building gives exactly what one string per operator gave: same
// text (numbers formatted alike), same errors at the same places, same
// budget and step failures.
func TestStringBuildingMatchesOneStringPerOperator(t *testing.T) {
	tests := []struct {
		name, body, want string
		opts             Options
	}{
		{name: "numbers add until text appears", body: `PRINT 1 + 2 + "x" + 1.5 + 2`, want: "3x1.52"},
		{name: "text first", body: `PRINT "a" + 1 + 2`, want: "a12"},
		{name: "numbers only", body: `PRINT 1 + 2 + 3`, want: "6"},
		{name: "ampersand then plus", body: `PRINT 1 & 2 + 3`, want: "123"},
		{name: "float formatting", body: `PRINT 0.1 + 0.2 + ""; "|"; 1E21 + "|"; 1 / 3 & ""`,
			want: "0.30000000000000004|1e+21|0.3333333333333333"},
		{name: "booleans", body: `PRINT (1 = 1) & 1; "|"; "" + (1 = 1)`, want: "TRUE1|TRUE"},
		{name: "boolean plus number fails", body: `PRINT 1 + 2 + (1 = 1) + "x"`,
			want: "error: t.bas:2:15: operator + needs numbers or strings, got TRUE"},
		{name: "json", body: `PRINT JSONLIT("[1]") + "x" + JSONLIT("{}")`, want: "[1]x{}"},
		{name: "constants joined around a variable", body: `X$ = "-"
  PRINT "a" + "b" + 1 + X$ + "c" + 2 + 3 + X$ + 4 * 2`, want: "ab1-c23-8"},
		{name: "parenthesised right side", body: `X$ = "x"
  PRINT "a" + (1 + 2) + (X$ + "y")`, want: "a3xy"},
		{name: "unassigned first operand", body: `IF 1 = 2 THEN Y$ = ""
  PRINT Y$ + "a"`, want: "error: t.bas:3:9: variable Y$ is not assigned"},
		{name: "append run", body: `N = 7
  S = "<a>"
  S = S + "b" + N
  S = S + "c" & 0.5
  S = S + "</a>"
  PRINT S`, want: "<a>b7c0.5</a>"},
		{name: "append run from a number", body: `S = 1 : S = S + 2 : S = S + "x" : S = S + 3
  PRINT S`, want: "3x3"},
		{name: "append run from a boolean", body: `S = (1 = 1) : S = S + "x" : S = S + 1 + (1 = 1)
  PRINT S`, want: "TRUEx1TRUE"},
		{name: "append run stops where the variable is read", body: `S = "a" : S = S + "b" : S = S + S : S = S + "c"
  PRINT S`, want: "ababc"},
		{name: "copies keep their text", body: `S = "a" : T = S : S = S + "b" : T = T + "c" : S = S + "d"
  PRINT S; T`, want: "abdac"},
		{name: "append run with json", body: `S = JSONLIT("{}") : S = S + "x" : S = S + JSONLIT("[2]")
  PRINT S`, want: "{}x[2]"},
		{name: "append run failing in the middle", body: `S = "a" : S = S + "b" : S = S + FAIL() : S = S + "c"
  PRINT S`, want: "error: t.bas:2:35: boom"},
		{name: "steps count per statement", opts: Options{MaxSteps: 3},
			body: `S = "a" : S = S + "b" : S = S + "c" : S = S + "d"`, want: "error: t.bas:2:41: step budget exceeded"},
		{name: "memory counts per operator", opts: Options{MaxMemory: 8192}, body: kilo + `
  S = K$ : S = S + K$ + K$ : S = S + K$ : S = S + K$
  PRINT S`, want: "error: t.bas:3:36: memory budget exceeded"},
		{name: "memory counts per constant joined across statements", opts: Options{MaxMemory: 4500}, body: kilo + `
  S = K$ : S = S + "abc" : S = S + "def" + "ghi" : S = S + "x" : S = S + "y"
  PRINT S`, want: "error: t.bas:3:42: memory budget exceeded"},
		{name: "memory counts per constant, last statement", opts: Options{MaxMemory: 6600}, body: kilo + `
  S = K$ : S = S + "abc" : S = S + "def" + "ghi" : S = S + "x" : S = S + "y"
  PRINT S`, want: "error: t.bas:3:72: memory budget exceeded"},
		{name: "text variable then constants", body: `X$ = "-"
  PRINT X$ + "a" + 1 + 2.5 + (1 = 1)`, want: "-a12.5TRUE"},
		{name: "number variable then constants", body: `N = 1
  PRINT N + 2 + "x" + 3`, want: "3x3"},
		{name: "json variable then constants", body: `J = JSONLIT("[1]")
  PRINT J + "x" + 2`, want: "[1]x2"},
		{name: "empty variable then an empty constant", body: `E$ = ""
  PRINT E$ + ""; "|"`, want: "|"},
		{name: "variable then constants, memory counts per operator", opts: Options{MaxMemory: 3100}, body: kilo + `
  T = K$ + "abc" & 1
  PRINT T`, want: "error: t.bas:3:18: memory budget exceeded"},
		// Large builds, nested or not (builds once collected up to 64 KiB
		// in a scratch buffer, then switched to keeping strings).
		{name: "a chain past 64 KiB", body: kilo + `
  S = K$ : FOR I = 1 TO 6 : S = S + S : NEXT
  T = "<" + S + "|" + S + ">"
  PRINT T`, want: "<" + strings.Repeat("x", 65536) + "|" + strings.Repeat("x", 65536) + ">"},
		{name: "an append run past 64 KiB, an inner chain past it too", body: kilo + `
  S = K$ : FOR I = 1 TO 5 : S = S + S : NEXT
  U = "a" : U = U + S + "b" : U = U + (S + S + "c") : U = U + "d"
  PRINT U`, want: "a" + strings.Repeat("x", 32768) + "b" + strings.Repeat("x", 65536) + "cd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, plain := runBoth(t, tc.opts, "ON WEBHOOK POST TO \"/t\" DO\n  "+tc.body+"\nEND ON\n")
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if plain != tc.want {
				t.Errorf("one string per operator gave %q, want %q", plain, tc.want)
			}
		})
	}
}

// FuzzStringBuildingMatchesOneStringPerOperator builds + and & chains and
// append runs from the fuzzer's bytes and runs them both ways.
func FuzzStringBuildingMatchesOneStringPerOperator(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, []byte{1, 0, 4})
	f.Add([]byte{5, 6, 7, 2, 0}, []byte{3, 3, 2, 1})
	operands := []string{`1`, `2.5`, `"a"`, `""`, `X$`, `N`, `(1 = 1)`, `JSONLIT("[1]")`, `0.1`, `1E21`, `-3`,
		`ESC(X$ + "&<")`, `PLUS("a " + X$)`, `ESC(N + 1 + "&")`} // text mappings, written in place
	chain := func(b []byte) string {
		var sb strings.Builder
		for i, c := range b {
			if i > 0 {
				sb.WriteString([]string{" + ", " & "}[c>>7])
			}
			sb.WriteString(operands[int(c&0x7f)%len(operands)])
		}
		return sb.String()
	}
	f.Fuzz(func(t *testing.T, expr, run []byte) {
		if len(expr) == 0 || len(expr) > 20 || len(run) > 20 {
			return
		}
		body := `X$ = "x" : N = 7
  PRINT ` + chain(expr) + `; "|"
  S = ` + chain(expr)
		for i := 0; i < len(run); i += 2 {
			body += "\n  S = S + " + chain(run[i:min(i+2, len(run))])
		}
		body += "\n  PRINT S"
		got, plain := runBoth(t, Options{}, "ON WEBHOOK POST TO \"/t\" DO\n  "+body+"\nEND ON\n")
		if got != plain {
			t.Errorf("%s\ngot   %q\nplain %q", body, got, plain)
		}
	})
}

// An append run's constant groups count their steps and memory at once when
// no event of theirs can trip a budget (runOp.allEvents), else one by one:
// under every step and memory budget around the run's needs, it fails at
// the same place, or answers, with the same step count as one string per
// operator.
func TestAppendRunCountsLikeOneOperatorAtATime(t *testing.T) {
	src := "ON WEBHOOK POST TO \"/t\" DO\n  " + kilo + `
  E$ = "e"
  S = "<a>" : S = S + "b" + "c" : S = S + E$ + "d" : S = S + K$ : S = S + "f" + "g" & "h" : S = S + "i"
  PRINT S
END ON
`
	prog := checked(t, src)
	run := func(opts Options, plain bool) string {
		m := machineOf(t, prog, testReg, opts)
		if plain {
			if err := m.compileWith(true); err != nil {
				t.Fatal(err)
			}
		}
		resp := new(Response)
		_, steps, err := m.ExecSteps(context.Background(), prog.Handlers[0], &Request{}, "r", resp)
		if err != nil {
			return fmt.Sprintf("%d steps: %v", steps, err)
		}
		return fmt.Sprintf("%d steps: %d bytes", steps, len(resp.Body))
	}
	// The run takes 173 steps; its append run's operators pass 4 KB, 8 KB
	// of memory (K$ is 1 KiB).
	answered := 0
	for steps := 160; steps <= 176; steps++ {
		for mem := 3500; mem <= 9000; mem += 29 {
			opts := Options{MaxSteps: steps, MaxMemory: int64(mem)}
			got, want := run(opts, false), run(opts, true)
			if got != want {
				t.Errorf("MaxSteps %d, MaxMemory %d: got %q, one string per operator %q", steps, mem, got, want)
			}
			if strings.HasSuffix(got, "bytes") {
				answered++
			}
		}
	}
	if answered == 0 {
		t.Error("no budget let the run answer: the fast path was not exercised")
	}
}

// An append run whose part calls a FUNCTION that runs an append run of its
// own: the inner run's texts stack above the outer's and are gone when it
// ends, answered or failed.
func TestNestedAppendRuns(t *testing.T) {
	tests := []struct{ name, call, want string }{
		{"both answer", `INNER("x", 0)`, "<a>[x]|[y]</a>"},
		{"the inner run fails", `INNER("x", 1)`, "error: t.bas:12:22: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `ON WEBHOOK POST TO "/t" DO
  S = "<a>" : S = S + ` + tt.call + ` + "|" : S = S + INNER("y", 0) + "</a>"
  PRINT S
END ON
FUNCTION INNER(X$, BAD)
  T = "["
  T = T + X$ + MAYBE(BAD)
  T = T + "]"
  RETURN T
END FUNCTION
FUNCTION MAYBE(BAD)
  IF BAD THEN RETURN FAIL()
  RETURN ""
END FUNCTION
`
			got, plain := runBoth(t, Options{}, src)
			if got != tt.want || plain != tt.want {
				t.Errorf("got %q, one string per operator %q, want %q", got, plain, tt.want)
			}
		})
	}
}

// runOp.allEvents sums the steps of a constant group's operators from a
// table (runOp.sum), one per remainder of the length built before the
// group: for every such length mod 64, and operators whose texts carry
// past 64 bytes or not, the run counts the steps one string per operator
// counts.
func TestAppendRunStepsAtEveryLengthBefore(t *testing.T) {
	consts := `"` + strings.Repeat("c", 63) + `" + "d" + "` + strings.Repeat("e", 70) + `" & "f"`
	for n := 0; n <= 130; n++ {
		src := "ON WEBHOOK POST TO \"/t\" DO\n" +
			`  E$ = "` + strings.Repeat("x", n) + "\"\n" +
			`  S = "<a>" : S = S + E$ : S = S + ` + consts + ` : S = S + "` + strings.Repeat("g", 40) + `" + E$` + "\n" +
			"  PRINT S\nEND ON\n"
		prog := checked(t, src)
		var got [2]string
		for i, plain := range []bool{false, true} {
			m := machineOf(t, prog, testReg, Options{})
			if plain {
				if err := m.compileWith(true); err != nil {
					t.Fatal(err)
				}
			}
			_, steps, err := m.ExecSteps(context.Background(), prog.Handlers[0], &Request{}, "r", new(Response))
			got[i] = fmt.Sprintf("%d steps, %v", steps, err)
		}
		if got[0] != got[1] {
			t.Errorf("E$ of %d bytes: %s, one string per operator %s", n, got[0], got[1])
		}
	}
}
