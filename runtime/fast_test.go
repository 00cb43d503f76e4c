package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// IF X = "text" (fast.go) answers, fails and counts as the general
// comparison does: text against text, a number or a JSON value against
// text (the operator's own rules), an unassigned variable, and the memory
// budget tripped at the comparison.
func TestIfVarTextMatchesGeneralComparison(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name, body, want string
		opts             Options
	}{
		{"empty equals empty", `X$ = "" : IF X$ = "" THEN X$ = "dflt"` + "\n  PRINT X$", "dflt", Options{}},
		{"set is kept", `X$ = "a" : IF X$ = "" THEN X$ = "dflt"` + "\n  PRINT X$", "a", Options{}},
		{"not equal, else", `X$ = "a" : IF X$ <> "a" THEN PRINT "ne" ELSE PRINT "eq"`, "eq", Options{}},
		{"number against text reading as it", `N = 10 : IF N = "10" THEN PRINT "ten" ELSE PRINT "no"`, "ten", Options{}},
		{"number against other text", `N = 10 : IF N <> "ten" THEN PRINT "differ"`, "differ", Options{}},
		{"JSON against text", `J = JSONLIT("[1]") : IF J = "[1]" THEN PRINT "same"`, "same", Options{}},
		{"unassigned", `IF 1 = 2 THEN Y$ = "a"` + "\n  IF Y$ = \"\" THEN PRINT \"never\"",
			`error: t.bas:3:6: variable Y$ is not assigned`, Options{}},
		{"step budget at the THEN", `X$ = "" : IF X$ = "" THEN PRINT "a"`, `error: t.bas:2:29: step budget exceeded`, Options{MaxSteps: 2}},
		{"work of a long compare", `X$ = "` + long + `" : IF X$ = "` + long + `" THEN PRINT "same"`, "same", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  " + tt.body + "\nEND ON\n"
			got, plain := runBoth(t, tt.opts, src)
			if got != tt.want || plain != tt.want {
				t.Errorf("got %q, general code %q, want %q", got, plain, tt.want)
			}
		})
	}
}

// The fast path takes only a variable against a text literal: any other
// comparison runs the general code.
func TestVarTextCondShapes(t *testing.T) {
	x := &lang.VarRef{Name: "X$", Slot: 3}
	lit := &lang.StrLit{Value: ""}
	tests := []struct {
		name string
		e    lang.Expr
		fast bool
	}{
		{"X$ = literal", &lang.Binary{Op: lang.OpEq, L: x, R: lit}, true},
		{"X$ <> literal", &lang.Binary{Op: lang.OpNe, L: x, R: lit}, true},
		{"literal = X$", &lang.Binary{Op: lang.OpEq, L: lit, R: x}, false},
		{"X$ = Y$", &lang.Binary{Op: lang.OpEq, L: x, R: &lang.VarRef{Name: "Y$", Slot: 4}}, false},
		{"X < literal", &lang.Binary{Op: lang.OpLt, L: x, R: lit}, false},
		{"X = number", &lang.Binary{Op: lang.OpEq, L: x, R: &lang.NumLit{Value: 1}}, false},
		{"a variable alone", x, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := varTextCondOf(tt.e) != nil; got != tt.fast {
				t.Errorf("fast path %v, want %v", got, tt.fast)
			}
		})
	}
}

// A chain whose parts after its last variable one are constants builds
// without the texts stack (catChain.buildTail), and one that starts with a
// text constant goes there directly (catHead): it answers, and trips the
// memory budget at the same operator, as one string per operator does;
// chains with a variable part later, or whose text starts at a constant
// (numbers add first), take the general build.
func TestChainEndingInConstants(t *testing.T) {
	tests := []struct{ name, expr, want string }{
		{"constant then variable", `"https://x/?e=" + X$`, "https://x/?e=" + strings.Repeat("v", 40)},
		{"constant, variable, constants", `"<a>" + X$ + "</a>" & "!"`, "<a>" + strings.Repeat("v", 40) + "</a>!"},
		{"variable part later: general", `"<" + X$ + "|" + X$ + ">"`, "<" + strings.Repeat("v", 40) + "|" + strings.Repeat("v", 40) + ">"},
		{"numbers add first: general", `1 + N + "x" + "y"`, "3xy"},
		{"number then variable text", `N + X$ + "z"`, "2" + strings.Repeat("v", 40) + "z"},
		{"number constant first: not catHead", `1 + X$ + "z"`, "1" + strings.Repeat("v", 40) + "z"},
		{"JSON variable after a constant", `"j=" + J + "."`, `j=[1,2].`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  N = 2 : J = JSONLIT(\"[1,2]\") : X$ = \"" + strings.Repeat("v", 40) + "\"\n  PRINT " + tt.expr + "\nEND ON\n"
			got, plain := runBoth(t, Options{}, src)
			if got != tt.want || plain != tt.want {
				t.Fatalf("got %q, one string per operator %q, want %q", got, plain, tt.want)
			}
			failed := 0
			for mem := 1; mem <= 260; mem++ {
				got, plain := runBoth(t, Options{MaxMemory: int64(mem)}, src)
				if got != plain {
					t.Errorf("MaxMemory %d: got %q, one string per operator %q", mem, got, plain)
				}
				if strings.HasPrefix(got, "error: ") {
					failed++
				}
			}
			if failed == 0 {
				t.Error("no budget tripped: the accounting was not exercised")
			}
		})
	}
}

// buildTail is taken exactly when the part that starts the text is the
// last one that is not a constant.
func TestBuildTailApplies(t *testing.T) {
	c := &compiler{m: &Machine{}, procs: map[*lang.Proc]*code{}}
	x := &lang.VarRef{Name: "X$", Slot: 0}
	lit := func(s string) lang.Expr { return &lang.StrLit{Value: s} }
	cat := func(l, r lang.Expr) *lang.Binary { return &lang.Binary{Op: lang.OpAdd, L: l, R: r} }
	tests := []struct {
		name      string
		e         *lang.Binary
		constFrom int
		suffix    string
	}{
		{"constant + X$", cat(lit("a"), x), 1, ""},
		{"constant + X$ + constants", cat(cat(cat(lit("a"), x), lit("b")), lit("c")), 1, "bc"},
		{"X$ later", cat(cat(cat(lit("a"), x), lit("b")), x), 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ops := catChainOf(tt.e)
			parts, err := c.catParts(ops)
			if err != nil {
				t.Fatal(err)
			}
			ch := newCatChain(nil, parts)
			if ch.constFrom != tt.constFrom || ch.suffix != tt.suffix {
				t.Errorf("constFrom %d, suffix %q; want %d, %q", ch.constFrom, ch.suffix, tt.constFrom, tt.suffix)
			}
		})
	}
}

// runSteps runs src's first handler as compiled and as compiled plainly
// (no fast path), giving the answer or error with the steps taken.
func runSteps(t *testing.T, opts Options, src string) (got, plain string) {
	t.Helper()
	prog := checked(t, src)
	var out [2]string
	for i, p := range []bool{false, true} {
		m := machineOf(t, prog, testReg, opts)
		if p {
			if err := m.compileWith(true); err != nil {
				t.Fatal(err)
			}
		}
		resp := new(Response)
		_, steps, err := m.ExecSteps(context.Background(), prog.Handlers[0], &Request{}, "r", resp)
		if err != nil {
			out[i] = fmt.Sprintf("%d steps, error: %v", steps, err)
		} else {
			out[i] = fmt.Sprintf("%d steps, %s", steps, resp.Body)
		}
	}
	return out[0], out[1]
}

// LET X = ... : IF X = "text" THEN X = ... runs as one statement
// (defaultRun): same answers, errors at the same places, the same steps
// counted, and the step budget tripped at the IF or at the THEN as the
// statements one by one trip it. Shapes that are not the idiom run as
// before.
func TestDefaultIdiomMatchesStatementByStatement(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"default taken", "X$ = GET FORM VALUE(\"missing\")\n  IF X$ = \"\" THEN X$ = \"dflt\"\n  PRINT X$",
			"4 steps, dflt"},
		{"value kept", "X$ = \"given\"\n  IF X$ = \"\" THEN X$ = \"dflt\"\n  PRINT X$",
			"3 steps, given"},
		{"not equal", "X$ = \"a\"\n  IF X$ <> \"b\" THEN X$ = X$ + \"!\"\n  PRINT X$", "4 steps, a!"},
		{"number against text", "X = 10\n  IF X = \"10\" THEN X = 11\n  PRINT X", "4 steps, 11"},
		{"THEN fails at its place", "X$ = \"\"\n  IF X$ = \"\" THEN X$ = FAIL()\n  PRINT X$",
			"3 steps, error: t.bas:3:24: boom"},
		{"LET fails at its place", "X$ = FAIL()\n  IF X$ = \"\" THEN X$ = \"d\"\n  PRINT X$",
			"1 steps, error: t.bas:2:8: boom"},
		{"a long compare's work", "X$ = \"" + strings.Repeat("x", 5000) + "\"\n  IF X$ = \"" + strings.Repeat("x", 5000) +
			"\" THEN X$ = \"d\"\n  PRINT X$", "82 steps, d"},
		{"with ELSE: not the idiom", "X$ = \"\"\n  IF X$ = \"\" THEN X$ = \"d\" ELSE X$ = \"e\"\n  PRINT X$", "4 steps, d"},
		{"other variable: not the idiom", "X$ = \"\" : Y$ = \"y\"\n  IF Y$ = \"\" THEN X$ = \"d\"\n  PRINT X$; Y$", "4 steps, y"},
		{"two THEN statements: not the idiom", "X$ = \"\"\n  IF X$ = \"\" THEN\n    X$ = \"d\"\n    X$ = X$ + \"e\"\n  END IF\n  PRINT X$",
			"5 steps, de"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  " + tt.body + "\nEND ON\n"
			got, plain := runSteps(t, Options{}, src)
			if got != tt.want || plain != tt.want {
				t.Errorf("got %q, statement by statement %q, want %q", got, plain, tt.want)
			}
			for max := 1; max <= 100; max++ {
				got, plain := runSteps(t, Options{MaxSteps: max}, src)
				if got != plain {
					t.Errorf("MaxSteps %d: got %q, statement by statement %q", max, got, plain)
				}
			}
		})
	}
}

// defaultAt takes the idiom and nothing else.
func TestDefaultAtShapes(t *testing.T) {
	tests := []struct {
		name, body string
		n          int
	}{
		{"the idiom", "X$ = \"\"\n  IF X$ = \"\" THEN X$ = \"d\"", 2},
		{"<> and an expression", "X$ = \"\"\n  IF X$ <> \"a\" THEN X$ = X$ + \"b\"", 2},
		{"ELSE", "X$ = \"\"\n  IF X$ = \"\" THEN X$ = \"d\" ELSE X$ = \"e\"", 0},
		{"ELSEIF", "X$ = \"\"\n  IF X$ = \"\" THEN\n    X$ = \"d\"\n  ELSEIF X$ = \"a\" THEN\n    X$ = \"e\"\n  END IF", 0},
		{"THEN assigns another variable", "X$ = \"\"\n  IF X$ = \"\" THEN Y$ = \"d\"", 0},
		{"condition on another variable", "X$ = \"\" : Y$ = \"\"\n  IF Y$ = \"\" THEN X$ = \"d\"", 0},
		{"condition against a variable", "X$ = \"\" : Y$ = \"\"\n  IF X$ = Y$ THEN X$ = \"d\"", 0},
		{"THEN is not an assignment", "X$ = \"\"\n  IF X$ = \"\" THEN PRINT \"d\"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  " + tt.body + "\n  PRINT X$\nEND ON\n"
			prog := checked(t, src)
			body := prog.Handlers[0].Body
			c := &compiler{m: &Machine{prog: prog}, procs: map[*lang.Proc]*code{}}
			n := 0
			for i := range body { // the statement before the IF starts it
				if _, ok := body[i].(*lang.If); ok && i > 0 {
					var err error
					if n, _, err = c.defaultAt(body[i-1:]); err != nil {
						t.Fatal(err)
					}
				}
			}
			if n != tt.n {
				t.Errorf("defaultAt takes %d statements, want %d", n, tt.n)
			}
		})
	}
}
