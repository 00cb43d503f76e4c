package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// byteMap is a text mapping replacing the bytes of table, for the tests.
func byteMap(table map[byte]string) *TextMap {
	return &TextMap{
		Size: func(s string) (int, bool) {
			n, same := 0, true
			for i := 0; i < len(s); i++ {
				if r, ok := table[s[i]]; ok {
					n, same = n+len(r), false
				} else {
					n++
				}
			}
			return n, same
		},
		Put: func(dst []byte, s string) int {
			off := 0
			for i := 0; i < len(s); i++ {
				if r, ok := table[s[i]]; ok {
					off += copy(dst[off:], r)
				} else {
					dst[off] = s[i]
					off++
				}
			}
			return off
		},
	}
}

var (
	escMap   = byteMap(map[byte]string{'&': "&amp;", '<': "&lt;"})
	plusMap  = byteMap(map[byte]string{' ': "+"}) // same length, changed
	testMaps = map[string]*TextMap{"ESC": escMap, "PLUS": plusMap}
	escRepl  = strings.NewReplacer("&", "&amp;", "<", "&lt;")
)

// A text mapping inside an append run or a chain (mapCall) writes its
// result into the string being built: the same text, the same errors at the same places
// and the same steps as the general code (a string for the argument, the
// builtin, a string for its result), for every shape of argument.
func TestTextMapInBuildMatchesGeneralCode(t *testing.T) {
	esc := escRepl.Replace
	a := "a&b<c"
	tests := []struct{ name, add, want string }{
		{"variable alone", `ESC(A$)`, esc(a)},
		{"variable then constants", `"<g u=""" + ESC(A$ + "/x&y" + 1) + """>"`, `<g u="` + esc(a+"/x&y1") + `">`},
		{"constant, variable, constants", `ESC("p?e=" + A$ + "&z" & "<")`, esc("p?e=" + a + "&z<")},
		{"nothing to map", `ESC(B$ + "/g")`, "plain/g"},
		{"nothing to map but the constants", `ESC("&" + B$ + "<")`, "&amp;plain&lt;"},
		{"same length, changed", `PLUS(A$ + " x ")`, "a&b<c+x+"},
		{"numbers add first", `ESC(N + 1 + "&x")`, "8&amp;x"},
		{"a number alone", `ESC(N) + ESC(N & "<")`, "77&lt;"},
		{"JSON", `ESC(JSONLIT("[""&""]")) + "|" + ESC(JSONLIT("[1]") + "&")`, `["&amp;"]|[1]&amp;`},
		{"a general chain: not in place", `ESC(A$ + "|" + A$)`, esc(a + "|" + a)},
		{"a constant first that is a number: not in place", `ESC(1 + A$ + "<")`, esc("1" + a + "<")},
		{"the argument fails", `"x" + ESC(FAIL() + "y")`, "error: t.bas:3:31: boom"},
		{"the argument is not assigned", `ESC(U$ + "y")`, "error: t.bas:3:25: variable U$ is not assigned"},
		{"boolean plus number in the argument", `ESC(N + (1 = 1) + "x")`,
			"error: t.bas:3:27: operator + needs numbers or strings, got TRUE"},
	}
	// The same texts built by an append run and by a chain in an
	// expression, the operand at the same column.
	builds := map[string]string{
		"append run": "  S = \"[\" : S = S + %s : S = S + \"]\"\n  PRINT S",
		"chain":      "  T = \"[\" +         %s + \"]\"\n  PRINT T",
	}
	for _, tt := range tests {
		for build, line := range builds {
			t.Run(tt.name+", "+build, func(t *testing.T) {
				src := "ON WEBHOOK POST TO \"/t\" DO\n  A$ = \"" + a + "\" : B$ = \"plain\" : N = 7 : IF N = 8 THEN U$ = \"\"\n" +
					fmt.Sprintf(line, tt.add) + "\nEND ON\n"
				got, plain := runBoth(t, Options{}, src)
				want := "[" + tt.want + "]"
				if strings.HasPrefix(tt.want, "error: ") {
					want = tt.want
				}
				if got != want || plain != want {
					t.Errorf("got %q, general code %q, want %q", got, plain, want)
				}
			})
		}
	}
}

// Under every step and memory budget around a run's needs, a build (an
// append run, a chain) with text mappings in place fails where the general code fails, or answers,
// with the same steps counted: the argument's operators, the call's work
// (a step every 64 bytes read) and result, and the build's operators.
func TestTextMapCountsLikeTheGeneralCode(t *testing.T) {
	long := strings.Repeat("abcdefgh&", 40) // 360 bytes, 400 mapped
	src := "ON WEBHOOK POST TO \"/t\" DO\n  L$ = \"" + long + "\" : A$ = \"a<b\" : N = 7\n" +
		`  S = "<r>"
  S = S + "<g u=""" + ESC(A$ + "/x&y") + """>"
  S = S + ESC("` + strings.Repeat("p", 70) + `?e=" + L$ + "&z") + "|" + ESC(L$)
  S = S + ESC(N + 1 + "&") + ESC(N) + PLUS(A$ + " x ") + ESC(L$ + "|" + A$)
  S = S + ESC(L$ + "` + strings.Repeat("j", 60) + `" + "&" & 1) + ESC("<" + L$ + "` + strings.Repeat("k", 70) + `" + "<")
  S = S + "</r>"
  PRINT S; "|" + ESC(A$ + "/x&y") + "|" + ESC("` + strings.Repeat("q", 70) + `" + L$ + "&z") + L$ + ESC(N + 1 + "&") & ESC(L$) + "."
END ON
`
	got, _ := runSteps(t, Options{}, src)
	esc := escRepl.Replace
	want := "<r><g u=\"" + esc("a<b/x&y") + "\">" + esc(strings.Repeat("p", 70)+"?e="+long+"&z") + "|" + esc(long) +
		"8&amp;7a<b+x+" + esc(long+"|a<b") + esc(long+strings.Repeat("j", 60)+"&1") + esc("<"+long+strings.Repeat("k", 70)+"<") + "</r>" +
		"|" + esc("a<b/x&y") + "|" + esc(strings.Repeat("q", 70)+long+"&z") + long + "8&amp;" + esc(long) + "."
	if !strings.HasSuffix(got, want) {
		t.Fatalf("got %q, want the body %q", got, want)
	}
	var steps int
	if _, err := fmt.Sscanf(got, "%d steps", &steps); err != nil {
		t.Fatal(err)
	}
	answered, failed := 0, 0
	sweep := func(opts Options) bool {
		got, plain := runSteps(t, opts, src)
		if got != plain {
			t.Errorf("MaxSteps %d, MaxMemory %d: got %q, general code %q", opts.MaxSteps, opts.MaxMemory, got, plain)
		}
		if strings.Contains(got, "error: ") {
			failed++
			return false
		}
		answered++
		return true
	}
	for max := 1; max <= steps+1; max++ {
		sweep(Options{MaxSteps: max})
	}
	for mem, ok := 1, 0; ok < 10 && mem < 1<<20; mem += 5 { // until ten budgets let it answer
		if sweep(Options{MaxMemory: int64(mem)}) {
			ok++
		}
	}
	if answered < 10 || failed == 0 {
		t.Errorf("%d runs answered, %d failed: the budgets were not exercised", answered, failed)
	}
}

// Only an append run's first 32 ops may be mappings in place (their modes
// share a uint64): a run with more builds the later ones the general way.
func TestTextMapPastTheModesBits(t *testing.T) {
	var b strings.Builder
	want := "["
	for i := range 40 {
		fmt.Fprintf(&b, " : S = S + ESC(A$ + \"%d&\")", i)
		want += fmt.Sprintf("a&amp;%d&amp;", i)
	}
	src := "ON WEBHOOK POST TO \"/t\" DO\n  A$ = \"a&\"\n  S = \"[\"" + b.String() + "\n  PRINT S\nEND ON\n"
	got, plain := runSteps(t, Options{}, src)
	if !strings.HasSuffix(got, want) || got != plain {
		t.Errorf("got %q, general code %q, want the body %q", got, plain, want)
	}
}

// mapCallOf takes a call of a text mapping with one argument that is not a
// chain, or a chain of one run-time operand and constants; anything else
// is built the general way.
func TestMapCallOfShapes(t *testing.T) {
	tests := []struct {
		name, expr string
		fast, head bool
	}{
		{"variable", `ESC(A$)`, true, false},
		{"variable then constants", `ESC(A$ + "x" + 1)`, true, false},
		{"constant, variable, constants", `ESC("x" + A$ + "y")`, true, true},
		{"constant then variable", `ESC("x" & A$)`, true, true},
		{"two variables", `ESC(A$ + B$)`, false, false},
		{"a number constant first", `ESC(1 + A$)`, false, false},
		{"constants only", `ESC("a" + "b")`, false, false},
		{"a literal", `ESC("a&")`, true, false},
		{"not a mapping", `JSONLIT(A$)`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  A$ = \"a\" : B$ = \"b\"\n  S = " + tt.expr + "\nEND ON\n"
			prog := checked(t, src)
			m := machineOf(t, prog, testReg, Options{})
			e := prog.Handlers[0].Body[2].(*lang.Assign).X
			for _, plain := range []bool{false, true} {
				c := &compiler{m: m, procs: map[*lang.Proc]*code{}, plain: plain}
				mc, err := c.mapCallOf(e)
				if err != nil {
					t.Fatal(err)
				}
				if fast := mc != nil; fast != (tt.fast && !plain) || (fast && mc.head != tt.head) {
					t.Errorf("plain %v: in place %v, want %v (head %v)", plain, fast, tt.fast && !plain, tt.head)
				}
			}
		})
	}
}

// A Registry without text mappings gives a Machine that builds every call
// the general way.
func TestRegistryWithoutTextMaps(t *testing.T) {
	type lookupOnly struct{ Registry }
	src := "ON WEBHOOK POST TO \"/t\" DO\n  A$ = \"<\"\n  S = \"[\" : S = S + ESC(A$) : S = S + \"]\"\n  PRINT S\nEND ON\n"
	prog := checked(t, src)
	m := machineOf(t, prog, lookupOnly{testReg}, Options{})
	if m.maps != nil {
		t.Errorf("maps %v, want none", m.maps)
	}
	resp, _, err := m.Exec(context.Background(), prog.Handlers[0], &Request{}, "r")
	if err != nil || string(resp.Body) != "[&lt;]" {
		t.Errorf("got %v, %v; want [&lt;]", resp, err)
	}
}

// A mapped call in place makes nothing of its own: a chain or an append
// run with one allocates its result only (the general code allocates the
// argument's string and the call's result too).
func TestTextMapInPlaceAllocatesTheResultOnly(t *testing.T) {
	tests := []struct{ name, body string }{
		{"chain", `PRINT "<a>" + ESC(X$ + "/g") + "|" + ESC("k" + X$) + "</a>"`},
		{"append run", `S = "<a>" : S = S + ESC(X$ + "/g") + "|" : S = S + ESC("k" + X$) + "</a>"
  PRINT S`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  X$ = \"a&b<c\"\n  " + tt.body + "\nEND ON\n"
			prog := checked(t, src)
			m := machineOf(t, prog, testReg, Options{})
			resp, req := new(Response), new(Request)
			run := func() {
				if _, _, err := m.ExecSteps(context.Background(), prog.Handlers[0], req, "r", resp); err != nil {
					t.Fatal(err)
				}
			}
			run()
			if want := "<a>a&amp;b&lt;c/g|ka&amp;b&lt;c</a>"; string(resp.Body) != want {
				t.Fatalf("body %q, want %q", resp.Body, want)
			}
			if n := testing.AllocsPerRun(100, run); n != 1 {
				t.Errorf("%v allocations a run, want 1 (the result)", n)
			}
		})
	}
}
