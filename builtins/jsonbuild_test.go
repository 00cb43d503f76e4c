package builtins

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// printOf runs PRINT <expr> in a handler and gives the body or the error.
func printOf(t *testing.T, expr string) (string, error) {
	t.Helper()
	src := "ON WEBHOOK POST TO \"/t\" DO\n  P$ = \"computed\"\n  PRINT " + expr + "\nEND ON\n"
	m, _ := subMachine(t, src)
	resp, _, err := m.Exec(context.Background(), m.Program().Handlers[0], &runtime.Request{Method: "POST", Path: "/t"}, "r")
	if err != nil {
		return "", err
	}
	return string(resp.Body), nil
}

func TestJSONSet(t *testing.T) {
	const obj = `PARSE JSON("{""a"":1,""x.y"":1}")`
	const arr = `PARSE JSON("[1,2]")`
	tests := []struct{ name, expr, want string }{
		{"nested from empty", `JSON SET("", "a.b.c", "x")`, `{"a":{"b":{"c":"x"}}}`},
		{"adds a key", `JSON SET(` + obj + `, "b", 2)`, `{"a":1,"x.y":1,"b":2}`},
		{"replaces a key", `JSON SET(` + obj + `, "a", "new")`, `{"a":"new","x.y":1}`},
		{"string with quotes and markup", `JSON SET("", "s", "say ""hi"" <&> ünï")`, `{"s":"say \"hi\" <&> ünï"}`},
		{"number", `JSON SET("", "n", 3.5)`, `{"n":3.5}`},
		{"negative number", `JSON SET("", "n", -7)`, `{"n":-7}`},
		{"large number", `JSON SET("", "n", 1e21)`, `{"n":1e+21}`},
		{"true", `JSON SET("", "b", 1 = 1)`, `{"b":true}`},
		{"false", `JSON SET("", "b", 1 = 2)`, `{"b":false}`},
		{"JSON value embedded as it is", `JSON SET("", "v", PARSE JSON("[1,{""x"":null}]"))`, `{"v":[1,{"x":null}]}`},
		{"empty string", `JSON SET("", "e", "")`, `{"e":""}`},
		{"JSON text as the document", `JSON SET("{""k"":[]}", "k[0]", 1)`, `{"k":[1]}`},
		{"array index from empty", `JSON SET("", "items[0]", "x")`, `{"items":["x"]}`},
		{"array index pads with null", `JSON SET("", "items[2]", "x")`, `{"items":[null,null,"x"]}`},
		{"replaces an array element", `JSON SET(` + arr + `, "[1]", 9)`, `[1,9]`},
		{"dot index form", `JSON SET(PARSE JSON("{""l"":[1,2]}"), "l.1", 9)`, `{"l":[1,9]}`},
		{"nested array of objects", `JSON SET("", "a[0].b[1].c", 1)`, `{"a":[{"b":[null,{"c":1}]}]}`},
		{"digits key in an object", `JSON SET(` + obj + `, "7", 1)`, `{"a":1,"x.y":1,"7":1}`},
		{"dot nests: a key with a dot cannot be named", `JSON SET(` + obj + `, "x.y", 2)`, `{"a":1,"x.y":1,"x":{"y":2}}`},
		{"key with *", `JSON SET("", "a*b", 1)`, `{"a*b":1}`},
		{"key with ?", `JSON SET("", "q?", 1)`, `{"q?":1}`},
		{"key #", `JSON SET("", "#", 1)`, `{"#":1}`},
		{"key with # inside a path", `JSON SET("", "list.#.id", 1)`, `{"list":{"#":{"id":1}}}`},
		{"key @this", `JSON SET("", "@this", 1)`, `{"@this":1}`},
		{"key -1 is a key, not append", `JSON SET("", "-1", 1)`, `{"-1":1}`},
		{"key -1 under an object", `JSON SET("", "a.-1", 1)`, `{"a":{"-1":1}}`},
		{"key starting with :", `JSON SET("", ":x", 1)`, `{":x":1}`},
		{"key with backslash and pipe", `JSON SET("", "a\b|c", 1)`, `{"a\\b|c":1}`},
		{"key with spaces and quotes", `JSON SET("", "full name", "A ""B""")`, `{"full name":"A \"B\""}`},
		{"computed path", `JSON SET("", P$ + ".k", 1)`, `{"computed":{"k":1}}`},
		{"input is unchanged", `JSON ENCODE(` + obj + `) + JSON ENCODE(JSON SET(` + obj + `, "a", 2))`, `{"a":1,"x.y":1}{"a":2,"x.y":1}`},
		{"chained", `JSON SET(JSON SET("", "a", 1), "b.c", "d")`, `{"a":1,"b":{"c":"d"}}`},
		{"read back with GET JSON PATH", `GET JSON PATH(JSON SET("", "m.#?", 5), "m.#?")`, `5`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := printOf(t, tc.expr)
			if err != nil || got != tc.want {
				t.Fatalf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestJSONAppend(t *testing.T) {
	tests := []struct{ name, expr, want string }{
		{"creates the array", `JSON APPEND("", "tags", "a")`, `{"tags":["a"]}`},
		{"appends", `JSON APPEND(PARSE JSON("{""tags"":[""a""]}"), "tags", 2)`, `{"tags":["a",2]}`},
		{"appends to an empty array", `JSON APPEND(PARSE JSON("{""t"":[]}"), "t", 1 = 1)`, `{"t":[true]}`},
		{"null becomes an array", `JSON APPEND(PARSE JSON("{""t"":null}"), "t", 1)`, `{"t":[1]}`},
		{"nested, created", `JSON APPEND("", "a.b[0].c", "x")`, `{"a":{"b":[{"c":["x"]}]}}`},
		{"appends a JSON object", `JSON APPEND("", "rows", PARSE JSON("{""id"":1}"))`, `{"rows":[{"id":1}]}`},
		{"twice", `JSON APPEND(JSON APPEND("", "l", 1), "l", 2)`, `{"l":[1,2]}`},
		{"key -1", `JSON APPEND("", "-1", 1)`, `{"-1":[1]}`},
		{"inside a root array", `JSON APPEND(PARSE JSON("[[1]]"), "[0]", 2)`, `[[1,2]]`},
		{"key with wildcard characters", `JSON APPEND("", "*?", 1)`, `{"*?":[1]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := printOf(t, tc.expr)
			if err != nil || got != tc.want {
				t.Fatalf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestJSONBuildErrors(t *testing.T) {
	tests := []struct{ name, expr, want string }{
		{"number as document", `JSON SET(5, "a", 1)`, "t.bas:3:9: JSON SET: argument 1 is not a JSON object or array"},
		{"invalid text as document", `JSON SET("{", "a", 1)`, "t.bas:3:9: JSON SET: argument 1 is not a JSON object or array"},
		{"scalar JSON as document", `JSON APPEND(PARSE JSON("5"), "a", 1)`, "t.bas:3:9: JSON APPEND: argument 1 is not a JSON object or array"},
		{"key on an array", `JSON SET(PARSE JSON("[1]"), "a", 1)`, "t.bas:3:9: JSON SET: cannot set array element for non-numeric key 'a'"},
		{"append to a non-array", `JSON APPEND(PARSE JSON("{""a"":1}"), "a", 1)`, `t.bas:3:9: JSON APPEND: the value at "a" is not an array`},
		{"computed malformed path", `JSON SET("", P$ + "..x", 1)`, `t.bas:3:9: malformed JSON path "computed..x": empty segment`},
		{"padding over sjson's limit", `JSON SET("", "a[999999]", 1)`, "t.bas:3:9: JSON SET: cannot pad array for key '999999', has 0 elements, limit is 100000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := printOf(t, tc.expr)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestJSONSetLiteralPathIsCheckedAtCheckTime(t *testing.T) {
	src := "ON WEBHOOK POST TO \"/t\" DO\n  D = JSON SET(\"\", \"a[x]\", 1)\n  E = JSON APPEND(\"\", \"a..b\", 1)\nEND ON\n"
	_, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
	want := "t.bas:2:20: malformed JSON path \"a[x]\": index \"x\" is not a whole number >= 0\n" +
		"t.bas:3:23: malformed JSON path \"a..b\": empty segment"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// FuzzJSONSetPath: whatever the path, a literal compiled one never acts as
// sjson syntax: setting it on {} gives valid JSON in which GET JSON PATH finds
// exactly the value set.
func FuzzJSONSetPath(f *testing.F) {
	for _, s := range []string{"a", "a.b", "a[0].b", "-1", ":x", "#", "@this", "a*b?", "x\\y", "a|b", "0", "a.0.b", "ü.é", "[3]", "a.-1.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		gpath, err := lang.CompileJSONPath(path)
		if err != nil || !utf8.ValidString(path) {
			return // keys are text: computed paths are made valid UTF-8 first
		}
		out, err := sjson.SetRawBytes([]byte("{}"), sjsonPath(gpath), []byte(`"V"`))
		if err != nil {
			if strings.Contains(err.Error(), "cannot pad array") {
				return
			}
			t.Fatalf("path %q (%q -> %q): %v", path, gpath, sjsonPath(gpath), err)
		}
		if !gjson.ValidBytes(out) {
			t.Fatalf("path %q: invalid JSON %s", path, out)
		}
		if got := gjson.GetBytes(out, gpath); got.Str != "V" {
			t.Fatalf("path %q (%q -> %q): %s does not hold \"V\" there (got %q)", path, gpath, sjsonPath(gpath), out, got.Raw)
		}
	})
}
