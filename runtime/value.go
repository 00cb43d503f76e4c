package runtime

import (
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// Kind tells the four value types apart.
type Kind uint8

// Value kinds.
const (
	KindStr Kind = iota
	KindNum
	KindBool
	KindJSON
)

// Value is a BASIC value: Str, Num, Bool or JSON.
type Value interface {
	Kind() Kind
	// String is the text PRINT and string + give.
	String() string
}

// Str is a string value.
type Str string

// Num is a number value (float64).
type Num float64

// Bool is a boolean value.
type Bool bool

// JSON is any JSON value kept as its raw, valid bytes.
type JSON []byte

func (Str) Kind() Kind  { return KindStr }
func (Num) Kind() Kind  { return KindNum }
func (Bool) Kind() Kind { return KindBool }
func (JSON) Kind() Kind { return KindJSON }

func (s Str) String() string { return string(s) }
func (n Num) String() string { return FormatNumber(float64(n)) }
func (b Bool) String() string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}
func (j JSON) String() string { return string(j) }

// View is j's bytes as a string, without copying them: for lookups whose
// results may point into j (gjson.Get, not GetBytes, which copies). Sound
// because a JSON value is never written after it is made: every builtin that
// changes JSON makes a new value.
func (j JSON) View() string { return unsafe.String(unsafe.SliceData(j), len(j)) }

// Empty is the "" every missing value reads as; a constant, so that nothing
// can change it under a running program.
const Empty = Str("")

// FromGJSON turns a gjson result into a value: strings, numbers and booleans
// become Str, Num and Bool; objects and arrays stay JSON; missing or null is "".
func FromGJSON(r gjson.Result) Value {
	switch r.Type {
	case gjson.String:
		return Str(r.Str)
	case gjson.Number:
		return Num(r.Num)
	case gjson.True:
		return Bool(true)
	case gjson.False:
		return Bool(false)
	case gjson.JSON:
		return JSON(r.Raw)
	default:
		return Empty
	}
}

// ToNumber is the one number coercion, used by arithmetic, FOR and the
// builtins' number arguments: a number as is, and a string that reads wholly
// as a decimal number (ParseNumber). Booleans and JSON are not numbers, as
// + refuses TRUE + 1: a script that computes with a comparison has a bug.
func ToNumber(v Value) (float64, bool) {
	switch x := v.(type) {
	case Num:
		return float64(x), true
	case Str:
		return ParseNumber(string(x))
	}
	return 0, false
}

// Truthy is a value's truth in IF and WHILE: booleans as is, numbers when not 0,
// strings when not empty (and not "FALSE"), JSON always.
func Truthy(v Value) bool {
	switch x := v.(type) {
	case Bool:
		return bool(x)
	case Num:
		return x != 0
	case Str:
		return x != "" && !strings.EqualFold(string(x), "FALSE")
	case JSON:
		return len(x) > 0
	}
	return false
}
