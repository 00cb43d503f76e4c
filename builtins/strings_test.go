package builtins

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
)

type (
	strS = runtime.Str
	strN = runtime.Num
	strB = runtime.Bool
	strJ = runtime.JSON
)

type strCase struct {
	name string
	fn   string // builtin name
	args []runtime.Value
	want runtime.Value // nil when an error is expected
	err  string
}

// callStrDef calls the named builtin the way the interpreter does, with no
// thread: these builtins must not need one.
func callStrDef(t *testing.T, name string, args []runtime.Value) (runtime.Value, error) {
	t.Helper()
	for _, d := range stringDefs() {
		if d.Name != name {
			continue
		}
		if len(args) < d.MinArgs || (d.MaxArgs >= 0 && len(args) > d.MaxArgs) {
			t.Fatalf("%s called with %d args, spec allows %d..%d", name, len(args), d.MinArgs, d.MaxArgs)
		}
		return d.Fn(nil, nil, args)
	}
	t.Fatalf("no builtin %q", name)
	return nil, nil
}

func runStrCases(t *testing.T, cases []strCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := callStrDef(t, c.fn, c.args)
			if c.want == nil {
				if err == nil || err.Error() != c.err {
					t.Fatalf("got %v, %v; want error %q", got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got.Kind() != c.want.Kind() || got.String() != c.want.String() {
				t.Fatalf("got %T %q, want %T %q", got, got.String(), c.want, c.want.String())
			}
		})
	}
}

func strArgs(vs ...runtime.Value) []runtime.Value { return vs }

func TestStringFuncs(t *testing.T) {
	runStrCases(t, []strCase{
		{"len ascii", "LEN", strArgs(strS("hello")), strN(5), ""},
		{"len empty", "LEN", strArgs(strS("")), strN(0), ""},
		{"len unicode", "LEN", strArgs(strS("ação")), strN(4), ""},
		{"len emoji", "LEN", strArgs(strS("hi 👋")), strN(4), ""},
		{"len number", "LEN", strArgs(strN(3.5)), strN(3), ""},
		{"len bool", "LEN", strArgs(strB(true)), strN(4), ""},
		{"len json", "LEN", strArgs(strJ(`{"a":1}`)), strN(7), ""},
		{"len invalid utf8", "LEN", strArgs(strS("a\xffb")), strN(3), ""},

		{"left", "LEFT", strArgs(strS("hello"), strN(2)), strS("he"), ""},
		{"left unicode", "LEFT", strArgs(strS("ação"), strN(3)), strS("açã"), ""},
		{"left emoji", "LEFT", strArgs(strS("👋🌍x"), strN(1)), strS("👋"), ""},
		{"left zero", "LEFT", strArgs(strS("hello"), strN(0)), strS(""), ""},
		{"left beyond", "LEFT", strArgs(strS("hello"), strN(99)), strS("hello"), ""},
		{"left huge", "LEFT", strArgs(strS("hello"), strN(1e300)), strS("hello"), ""},
		{"left fraction truncates", "LEFT", strArgs(strS("hello"), strN(2.9)), strS("he"), ""},
		{"left numeric string", "LEFT", strArgs(strS("hello"), strS(" 3 ")), strS("hel"), ""},
		{"left bool", "LEFT", strArgs(strS("hello"), strB(true)), nil, `LEFT: argument 2 must be a number, got TRUE`},
		{"left negative", "LEFT", strArgs(strS("hello"), strN(-1)), nil, "LEFT: length must be >= 0, got -1"},
		{"left not a number", "LEFT", strArgs(strS("hello"), strS("abc")), nil, `LEFT: argument 2 must be a number, got "abc"`},
		{"left json", "LEFT", strArgs(strS("hello"), strJ(`[1]`)), nil, `LEFT: argument 2 must be a number, got JSON [1]`},

		{"right", "RIGHT", strArgs(strS("hello"), strN(3)), strS("llo"), ""},
		{"right unicode", "RIGHT", strArgs(strS("ação"), strN(2)), strS("ão"), ""},
		{"right emoji", "RIGHT", strArgs(strS("x👋🌍"), strN(2)), strS("👋🌍"), ""},
		{"right zero", "RIGHT", strArgs(strS("hello"), strN(0)), strS(""), ""},
		{"right beyond", "RIGHT", strArgs(strS("hello"), strN(10)), strS("hello"), ""},
		{"right negative", "RIGHT", strArgs(strS("hello"), strN(-2)), nil, "RIGHT: length must be >= 0, got -2"},
		{"right empty arg", "RIGHT", strArgs(strS("hello"), strS("")), nil, `RIGHT: argument 2 must be a number, got ""`},

		{"mid rest", "MID", strArgs(strS("hello"), strN(2)), strS("ello"), ""},
		{"mid n", "MID", strArgs(strS("hello"), strN(2), strN(3)), strS("ell"), ""},
		{"mid unicode", "MID", strArgs(strS("ação!"), strN(2), strN(2)), strS("çã"), ""},
		{"mid emoji", "MID", strArgs(strS("a👋b"), strN(2), strN(1)), strS("👋"), ""},
		{"mid n beyond", "MID", strArgs(strS("hello"), strN(4), strN(10)), strS("lo"), ""},
		{"mid start at end+1", "MID", strArgs(strS("hello"), strN(6)), strS(""), ""},
		{"mid start beyond", "MID", strArgs(strS("hello"), strN(99), strN(2)), strS(""), ""},
		{"mid zero n", "MID", strArgs(strS("hello"), strN(1), strN(0)), strS(""), ""},
		{"mid start zero", "MID", strArgs(strS("hello"), strN(0)), nil, "MID: start must be >= 1, got 0"},
		{"mid start negative", "MID", strArgs(strS("hello"), strN(-3), strN(1)), nil, "MID: start must be >= 1, got -3"},
		{"mid n negative", "MID", strArgs(strS("hello"), strN(1), strN(-1)), nil, "MID: length must be >= 0, got -1"},
		{"mid n not number", "MID", strArgs(strS("hello"), strN(1), strS("x")), nil, `MID: argument 3 must be a number, got "x"`},

		{"ucase", "UCASE", strArgs(strS("ação")), strS("AÇÃO"), ""},
		{"lcase", "LCASE", strArgs(strS("AÇÃO Hi")), strS("ação hi"), ""},
		{"ucase number", "UCASE", strArgs(strN(1e21)), strS("1E+21"), ""},
		{"trim", "TRIM", strArgs(strS("  hi there \t\r\n")), strS("hi there"), ""},
		{"trim empty", "TRIM", strArgs(strS("   ")), strS(""), ""},

		{"replace all", "REPLACE", strArgs(strS("a-b-c"), strS("-"), strS("+")), strS("a+b+c"), ""},
		{"replace unicode", "REPLACE", strArgs(strS("ação ação"), strS("çã"), strS("ca")), strS("acao acao"), ""},
		{"replace absent", "REPLACE", strArgs(strS("abc"), strS("x"), strS("y")), strS("abc"), ""},
		{"replace empty find", "REPLACE", strArgs(strS("abc"), strS(""), strS("y")), strS("abc"), ""},
		{"replace with empty", "REPLACE", strArgs(strS("aXbX"), strS("X"), strS("")), strS("ab"), ""},
		{"replace number", "REPLACE", strArgs(strN(1.5), strS("."), strS(",")), strS("1,5"), ""},
	})
}

func TestInstr(t *testing.T) {
	runStrCases(t, []strCase{
		{"found", "INSTR", strArgs(strS("hello"), strS("ll")), strN(3), ""},
		{"first char", "INSTR", strArgs(strS("hello"), strS("h")), strN(1), ""},
		{"absent", "INSTR", strArgs(strS("hello"), strS("z")), strN(0), ""},
		{"unicode", "INSTR", strArgs(strS("ação"), strS("o")), strN(4), ""},
		{"emoji", "INSTR", strArgs(strS("👋🌍x"), strS("x")), strN(3), ""},
		{"start", "INSTR", strArgs(strN(2), strS("abcabc"), strS("a")), strN(4), ""},
		{"start unicode", "INSTR", strArgs(strN(2), strS("ãbãb"), strS("ã")), strN(3), ""},
		{"start at match", "INSTR", strArgs(strN(4), strS("abcabc"), strS("a")), strN(4), ""},
		{"start past match", "INSTR", strArgs(strN(5), strS("abcabc"), strS("a")), strN(0), ""},
		{"start beyond", "INSTR", strArgs(strN(99), strS("abc"), strS("a")), strN(0), ""},
		{"empty find", "INSTR", strArgs(strS("abc"), strS("")), strN(1), ""},
		{"empty find start", "INSTR", strArgs(strN(3), strS("abc"), strS("")), strN(3), ""},
		{"empty find end+1", "INSTR", strArgs(strN(4), strS("abc"), strS("")), strN(4), ""},
		{"empty find beyond", "INSTR", strArgs(strN(5), strS("abc"), strS("")), strN(0), ""},
		{"empty both", "INSTR", strArgs(strS(""), strS("")), strN(1), ""},
		{"start zero", "INSTR", strArgs(strN(0), strS("abc"), strS("a")), nil, "INSTR: start must be >= 1, got 0"},
		{"start not number", "INSTR", strArgs(strS("x"), strS("abc"), strS("a")), nil, `INSTR: argument 1 must be a number, got "x"`},
	})
}

func TestNumberFuncs(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // not constants, which would fold to exactly 0.3
	runStrCases(t, []strCase{
		{"str int", "STR", strArgs(strN(200)), strS("200"), ""},
		{"str negative", "STR", strArgs(strN(-7)), strS("-7"), ""},
		{"str fraction", "STR", strArgs(strN(3.5)), strS("3.5"), ""},
		{"str float noise", "STR", strArgs(strN(tenth + fifth)), strS("0.30000000000000004"), ""},
		{"str big", "STR", strArgs(strN(1e21)), strS("1e+21"), ""},
		{"str numeric string", "STR", strArgs(strS(" 0042 ")), strS("42"), ""},
		{"str bool", "STR", strArgs(strB(false)), nil, `STR: argument 1 must be a number, got FALSE`},
		{"str not number", "STR", strArgs(strS("abc")), nil, `STR: argument 1 must be a number, got "abc"`},
		{"str json", "STR", strArgs(strJ(`{"a":1}`)), nil, `STR: argument 1 must be a number, got JSON {"a":1}`},
		{"str long string", "STR", strArgs(strS(strings.Repeat("ç", 50))), nil,
			`STR: argument 1 must be a number, got "` + strings.Repeat("ç", 40) + `…"`},

		{"val int", "VAL", strArgs(strS("42")), strN(42), ""},
		{"val leading", "VAL", strArgs(strS("12abc")), strN(12), ""},
		{"val spaces sign exp", "VAL", strArgs(strS("  -3.5e2 kg")), strN(-350), ""},
		{"val incomplete exp", "VAL", strArgs(strS("1e")), strN(1), ""},
		{"val fraction only", "VAL", strArgs(strS(".5")), strN(0.5), ""},
		{"val none", "VAL", strArgs(strS("abc")), strN(0), ""},
		{"val empty", "VAL", strArgs(strS("")), strN(0), ""},
		{"val hex is 0", "VAL", strArgs(strS("0x1F")), strN(0), ""},
		{"val number", "VAL", strArgs(strN(3.25)), strN(3.25), ""},
		{"val bool", "VAL", strArgs(strB(true)), strN(0), ""},
		{"val unicode after", "VAL", strArgs(strS("7ação")), strN(7), ""},

		{"int floors", "INT", strArgs(strN(3.7)), strN(3), ""},
		{"int floors negative", "INT", strArgs(strN(-3.2)), strN(-4), ""},
		{"int string", "INT", strArgs(strS("2.5")), strN(2), ""},
		{"int not number", "INT", strArgs(strS("two")), nil, `INT: argument 1 must be a number, got "two"`},
		{"abs", "ABS", strArgs(strN(-2.5)), strN(2.5), ""},
		{"abs string", "ABS", strArgs(strS("-4")), strN(4), ""},
		{"abs not number", "ABS", strArgs(strS("")), nil, `ABS: argument 1 must be a number, got ""`},
	})
}

func TestRound(t *testing.T) {
	runStrCases(t, []strCase{
		{"half up", "ROUND", strArgs(strN(2.5)), strN(3), ""},
		{"half away negative", "ROUND", strArgs(strN(-2.5)), strN(-3), ""},
		{"below half", "ROUND", strArgs(strN(2.49)), strN(2), ""},
		{"small negative to zero", "ROUND", strArgs(strN(-0.4)), strN(0), ""},
		{"digits", "ROUND", strArgs(strN(3.14159), strN(2)), strN(3.14), ""},
		{"decimal half", "ROUND", strArgs(strN(1.005), strN(2)), strN(1.01), ""},
		{"decimal half 2.675", "ROUND", strArgs(strN(2.675), strN(2)), strN(2.68), ""},
		{"negative decimal half", "ROUND", strArgs(strN(-1.005), strN(2)), strN(-1.01), ""},
		{"carry", "ROUND", strArgs(strN(9.995), strN(2)), strN(10), ""},
		{"carry whole", "ROUND", strArgs(strN(99.5)), strN(100), ""},
		{"negative digits", "ROUND", strArgs(strN(1250), strN(-2)), strN(1300), ""},
		{"negative digits all", "ROUND", strArgs(strN(49), strN(-2)), strN(0), ""},
		{"negative digits up", "ROUND", strArgs(strN(50), strN(-2)), strN(100), ""},
		{"huge digits", "ROUND", strArgs(strN(1.25), strN(1e9)), strN(1.25), ""},
		{"huge negative digits", "ROUND", strArgs(strN(1e300), strN(-1e9)), strN(0), ""},
		{"far negative digits", "ROUND", strArgs(strN(123), strN(-10)), strN(0), ""},
		{"more digits than value", "ROUND", strArgs(strN(0.1), strN(5)), strN(0.1), ""},
		{"tiny", "ROUND", strArgs(strN(0.0004), strN(3)), strN(0), ""},
		{"tiny half", "ROUND", strArgs(strN(0.0005), strN(3)), strN(0.001), ""},
		{"integer", "ROUND", strArgs(strN(7)), strN(7), ""},
		{"zero", "ROUND", strArgs(strN(0), strN(2)), strN(0), ""},
		{"string args", "ROUND", strArgs(strS("2.345"), strS("2")), strN(2.35), ""},
		{"fractional digits truncate", "ROUND", strArgs(strN(2.345), strN(2.9)), strN(2.35), ""},
		{"bad x", "ROUND", strArgs(strS("x")), nil, `ROUND: argument 1 must be a number, got "x"`},
		{"bad digits", "ROUND", strArgs(strN(1), strS("x")), nil, `ROUND: argument 2 must be a number, got "x"`},
	})
}

func TestEscaping(t *testing.T) {
	runStrCases(t, []strCase{
		{"xml all five", "XML ESCAPE", strArgs(strS(`<a href="x">Tom & Jerry's</a>`)),
			strS("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;"), ""},
		{"xml unicode kept", "XML ESCAPE", strArgs(strS("ação 👋")), strS("ação 👋"), ""},
		{"xml amp not double", "XML ESCAPE", strArgs(strS("&amp;")), strS("&amp;amp;"), ""},
		{"xml number", "XML ESCAPE", strArgs(strN(3.5)), strS("3.5"), ""},
		{"url space plus", "URL ENCODE", strArgs(strS("a b")), strS("a+b"), ""},
		{"url unreserved", "URL ENCODE", strArgs(strS("AZaz09-_.~")), strS("AZaz09-_.~"), ""},
		{"url reserved", "URL ENCODE", strArgs(strS("a=1&b=2/?#+%")), strS("a%3D1%26b%3D2%2F%3F%23%2B%25"), ""},
		{"url unicode bytes", "URL ENCODE", strArgs(strS("ação")), strS("a%C3%A7%C3%A3o"), ""},
		{"url emoji", "URL ENCODE", strArgs(strS("👋")), strS("%F0%9F%91%8B"), ""},
		{"url quotes and newline", "URL ENCODE", strArgs(strS("\"'\n")), strS("%22%27%0A"), ""},
		{"url json", "URL ENCODE", strArgs(strJ(`{"a":1}`)), strS("%7B%22a%22%3A1%7D"), ""},
	})
}

func TestNow(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Second)
	got, err := callStrDef(t, "NOW", nil)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	s, ok := got.(runtime.Str)
	if !ok {
		t.Fatalf("NOW gave %T", got)
	}
	ts, err := time.Parse(time.RFC3339, string(s))
	if err != nil || !strings.HasSuffix(string(s), "Z") {
		t.Fatalf("NOW = %q is not RFC 3339 UTC: %v", s, err)
	}
	if ts.Before(before) || ts.After(after) {
		t.Fatalf("NOW = %q, not between %v and %v", s, before, after)
	}
}

// TestStringDefsSpecs pins the arity table the checker reads.
func TestStringDefsSpecs(t *testing.T) {
	want := map[string][2]int{
		"LEN": {1, 1}, "LEFT": {2, 2}, "RIGHT": {2, 2}, "MID": {2, 3},
		"UCASE": {1, 1}, "LCASE": {1, 1}, "TRIM": {1, 1}, "REPLACE": {3, 3},
		"INSTR": {2, 3}, "STR": {1, 1}, "VAL": {1, 1}, "INT": {1, 1},
		"ROUND": {1, 2}, "ABS": {1, 1}, "NOW": {0, 0},
		"XML ESCAPE": {1, 1}, "URL ENCODE": {1, 1},
	}
	defs := stringDefs()
	if len(defs) != len(want) {
		t.Errorf("%d defs, want %d", len(defs), len(want))
	}
	for _, d := range defs {
		w, ok := want[d.Name]
		switch {
		case !ok:
			t.Errorf("unexpected builtin %q", d.Name)
		case d.MinArgs != w[0] || d.MaxArgs != w[1] || d.Stmt || d.PathArg != 0 || d.Fn == nil:
			t.Errorf("%s: spec %+v", d.Name, d.Builtin)
		}
	}
}

// TestRoundNoNegativeZero: -0 would print as 0 but turn 1/x into -Infinity.
func TestRoundNoNegativeZero(t *testing.T) {
	for _, a := range [][]runtime.Value{strArgs(strN(-0.4)), strArgs(strN(-49), strN(-2)), strArgs(strN(-1), strN(-5))} {
		got, err := callStrDef(t, "ROUND", a)
		if err != nil {
			t.Fatal(err)
		}
		if f := float64(got.(runtime.Num)); f != 0 || math.Signbit(f) {
			t.Errorf("ROUND(%v) = %v (signbit %v), want +0", a, f, math.Signbit(f))
		}
	}
}

// xmlEscapedLen's and xmlPut's tables say, for every byte, what
// xmlEscaper makes of it: XML ESCAPE charges the budget with the length,
// trusts it to mean "unchanged", and writes what xmlPut writes (in place,
// inside a string being built).
func TestXMLEscapedLenMatchesReplacer(t *testing.T) {
	for b := 0; b < 256; b++ {
		s := "a" + string([]byte{byte(b)}) + "z"
		want := xmlEscaper.Replace(s)
		if got := xmlEscapedLen(s); got != len(want) {
			t.Errorf("byte %#x: xmlEscapedLen %d, replacer %d", b, got, len(want))
		}
		if n, same := xmlEscapedSize(s); n != len(want) || same != (want == s) {
			t.Errorf("byte %#x: xmlEscapedSize %d, %v; replacer %d, %v", b, n, same, len(want), want == s)
		}
		dst := make([]byte, len(want)+3)
		if n := xmlPut(dst, s); string(dst[:n]) != want {
			t.Errorf("byte %#x: xmlPut %q, replacer %q", b, dst[:n], want)
		}
		// Texts of 8 to 40 bytes, scanned a word at a time, the last word
		// overlapping: the byte at every place, among bytes that are next
		// to special ones in value.
		for size := 8; size <= 40; size++ {
			for at := 0; at < size; at++ {
				in := []byte(strings.Repeat("!%(=?;)", 6)[:size])
				in[at] = byte(b)
				if got, want := xmlEscapedLen(string(in)), len(xmlEscaper.Replace(string(in))); got != want {
					t.Errorf("byte %#x at %d of %d: xmlEscapedLen %d, replacer %d", b, at, size, got, want)
				}
			}
		}
	}
}

// xmlEscapedLen scans 8 bytes a step: every special byte, at every place
// of texts longer and shorter than a step, and texts with none, measure as
// the replacer's output does; XML ESCAPE gives the replacer's text, and a
// text with nothing to escape back as it is.
func TestXMLEscapeAtEveryPlace(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"one byte", "a"},
		{"seven bytes", "abcdefg"},
		{"eight bytes", "abcdefgh"},
		{"a URL", "https://twimlets.com/voicemail?Email=your-email@example.com"},
		{"non-ASCII", "ação 👋 naïve café"},
	}
	for _, special := range []string{"&", "<", ">", `"`, "'"} {
		for at := 0; at < 20; at++ {
			in := []byte(strings.Repeat("x", 20))
			in[at] = special[0]
			tests = append(tests, struct{ name, in string }{fmt.Sprintf("%s at %d", special, at), string(in)})
		}
		tests = append(tests, struct{ name, in string }{special + " everywhere", strings.Repeat(special, 17)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := xmlEscaper.Replace(tt.in)
			if got := xmlEscapedLen(tt.in); got != len(want) {
				t.Errorf("xmlEscapedLen(%q) = %d, want %d", tt.in, got, len(want))
			}
			got, err := callStrDef(t, "XML ESCAPE", strArgs(strS(tt.in)))
			if err != nil || got != runtime.Value(strS(want)) {
				t.Errorf("XML ESCAPE %q = %v, %v; want %q", tt.in, got, err, want)
			}
		})
	}
}
