package runtime

import (
	"math"
	"strings"
	"testing"
	"unsafe"
)

// Empty must stay a constant (this line does not compile otherwise).
const _ = Empty

// TestToNumber pins the one number coercion (docs/language.md, Values).
func TestToNumber(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want float64
		ok   bool
	}{
		{"number", Num(3.5), 3.5, true},
		{"integer string", Str("12"), 12, true},
		{"spaces around", Str(" 7 \t"), 7, true},
		{"fraction forms", Str(".5"), 0.5, true},
		{"exponent", Str("1e3"), 1000, true},
		{"negative", Str("-2"), -2, true},
		{"huge reads as infinity", Str("1e999"), math.Inf(1), true},
		{"empty string", Str(""), 0, false},
		{"leading number only", Str("12abc"), 0, false},
		{"hex", Str("0x10"), 0, false},
		{"Inf", Str("Inf"), 0, false},
		{"NaN", Str("NaN"), 0, false},
		{"TRUE is not a number", Bool(true), 0, false},
		{"FALSE is not a number", Bool(false), 0, false},
		{"JSON number is not a number", JSON(`5`), 0, false},
		{"JSON object", JSON(`{"a":1}`), 0, false},
		{"nothing", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ToNumber(tt.v)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ToNumber(%#v) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestDescribe pins the one way a value is shown in an error.
func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"string", Str("abc"), `"abc"`},
		{"string with quote", Str(`a"b`), `"a\"b"`},
		{"40 characters kept", Str(strings.Repeat("é", 40)), `"` + strings.Repeat("é", 40) + `"`},
		{"41 characters cut", Str(strings.Repeat("é", 41)), `"` + strings.Repeat("é", 40) + `…"`},
		{"invalid byte counts as one", Str(strings.Repeat("\xff", 45)), `"` + strings.Repeat(`\xff`, 40) + `…"`},
		{"number", Num(2.5), `2.5`},
		{"boolean", Bool(true), `TRUE`},
		{"JSON", JSON(`[1,2]`), `JSON [1,2]`},
		{"long JSON", JSON(`"` + strings.Repeat("x", 50) + `"`), `JSON "` + strings.Repeat("x", 39) + `…`},
		{"nothing", nil, `nothing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe(tt.v); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// JSON.View is the document's text without a copy: lookups through it give
// strings inside the document.
func TestJSONViewSharesTheBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		j    JSON
	}{
		{"object", JSON(`{"a":"x"}`)},
		{"empty", JSON{}},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.j.View()
			if v != string(tc.j) {
				t.Fatalf("View() = %q, want %q", v, string(tc.j))
			}
			if len(tc.j) > 0 && unsafe.StringData(v) != &tc.j[0] {
				t.Error("View copied the bytes")
			}
		})
	}
}
