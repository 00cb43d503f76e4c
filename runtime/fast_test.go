package runtime

import (
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
