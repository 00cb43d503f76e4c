package runtime

import (
	"fmt"
	goruntime "runtime"
	"strings"
	"testing"
)

// TestNewStrIsAStr: a built string is a Str in every way a Value is used.
func TestNewStrIsAStr(t *testing.T) {
	v, b := newStr(5)
	copy(b, "hello")
	s, ok := v.(Str)
	if !ok || s != "hello" || v.Kind() != KindStr || v.String() != "hello" || v != Value(Str("hello")) {
		t.Fatalf("newStr(5) = %#v", v)
	}
	if got := fmt.Sprint(v); got != "hello" {
		t.Errorf("fmt: %q", got)
	}
	m := map[Value]int{Str("hello"): 1}
	if m[v] != 1 {
		t.Error("a built string is not the same map key as the literal")
	}
	if e, _ := newStr(0); e != Empty {
		t.Errorf("newStr(0) = %#v, want Empty", e)
	}
}

// TestBuiltStringsSurviveGC keeps built strings of every small size (and a
// few large ones) through collections and reuse of freed memory: the block
// holding header and bytes must stay alive through the Value alone, and
// through a string taken out of it alone. Under -race, checkptr also checks
// the header's alignment and bounds.
func TestBuiltStringsSurviveGC(t *testing.T) {
	sizes := []int{}
	for n := 1; n <= 300; n++ {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 4095, 4096, 32<<10, 100<<10)
	want := func(n int) string { return strings.Repeat(string(rune('a'+n%26)), n) }
	vals := make([]Value, len(sizes))
	strs := make([]string, len(sizes))
	for i, n := range sizes {
		v, b := newStr(n)
		copy(b, want(n))
		vals[i] = v
		w, _ := newStr(n)
		strs[i] = string(w.(Str)) // only the string keeps w's block
	}
	for range 3 {
		goruntime.GC()
		garbage := make([][]byte, 0, 4096)
		for i := range 4096 {
			garbage = append(garbage, make([]byte, 16+i%512))
		}
		for _, g := range garbage {
			for j := range g {
				g[j] = 0xff
			}
		}
	}
	for i, n := range sizes {
		if got := vals[i].String(); got != want(n) {
			t.Fatalf("size %d: value changed to %q", n, got[:min(len(got), 20)])
		}
		if len(strs[i]) != n || strings.Trim(strs[i], "\x00") != "" {
			t.Fatalf("size %d: string taken out changed", n)
		}
	}
}
