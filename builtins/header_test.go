package builtins

import (
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"
)

// validHeaderValue tests printable ASCII a word at a time and asks
// httpguts about the rest: every byte, at every place of values of 0 to
// 30 bytes, among printable bytes next to the limits in value, is judged
// as httpguts judges it.
func TestValidHeaderValueMatchesHttpguts(t *testing.T) {
	fill := strings.Repeat(" ~!}\x7e\x20", 6)
	for size := 0; size <= 30; size++ {
		for at := 0; at < max(size, 1); at++ {
			for b := 0; b < 256; b++ {
				in := []byte(fill[:size])
				if size > 0 {
					in[at] = byte(b)
				}
				v := string(in)
				if got, want := validHeaderValue(v), httpguts.ValidHeaderFieldValue(v); got != want {
					t.Fatalf("%q: validHeaderValue %v, httpguts %v", v, got, want)
				}
			}
		}
	}
}
