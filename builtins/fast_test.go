package builtins

// The builtins' fast paths, each checked against the code it stands for.

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"

	"github.com/gbhook/gbhook/runtime"
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

// URL ENCODE, a text mapping, encodes every byte as url.QueryEscape does
// (space as +, every byte but [A-Za-z0-9-_.~] as %XX), with the size and
// "maps to itself" the runtime counts and trusts.
func TestURLEncodeMatchesQueryEscape(t *testing.T) {
	for b := 0; b < 256; b++ {
		s := "a" + string([]byte{byte(b)}) + "z~"
		want := url.QueryEscape(s)
		if n, same := urlEncodedSize(s); n != len(want) || same != (want == s) {
			t.Errorf("byte %#x: urlEncodedSize %d, %v; QueryEscape %d, %v", b, n, same, len(want), want == s)
		}
		dst := make([]byte, len(want)+3)
		if n := urlPut(dst, s); string(dst[:n]) != want {
			t.Errorf("byte %#x: urlPut %q, QueryEscape %q", b, dst[:n], want)
		}
	}
}

// The registry the host hands the runtime tells which builtins are text
// mappings: XML ESCAPE and URL ENCODE, whose Fn is their mapping's.
func TestRegistryTellsTextMaps(t *testing.T) {
	tms, ok := Registry(Deps{}).(runtime.TextMaps)
	if !ok {
		t.Fatal("the registry does not implement runtime.TextMaps")
	}
	for _, d := range Table(Deps{}) {
		want := d.Name == "XML ESCAPE" || d.Name == "URL ENCODE"
		if got := tms.TextMap(d.Name); (got != nil) != want || got != d.Map {
			t.Errorf("%s: TextMap %v, want a mapping %v (Def.Map %v)", d.Name, got, want, d.Map)
		}
	}
}
