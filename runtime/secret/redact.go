package secret

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"unsafe"
)

// Redacted replaces a secret in text.
const Redacted = "[REDACTED]"

// Redactor removes secret values from text a remote server sent back, in the
// forms a server echoes them in: plain, URL-encoded (query or path), and
// base64 (standard or URL alphabet, padded or not, at any alignment, as in an
// echoed AUTH PLAIN argument). The zero value redacts nothing.
type Redactor struct {
	secrets [][]byte
	forms   []string // each secret, plain and URL-encoded
	minLen  int      // of the shortest secret: a shorter base64 run cannot hold one
}

// NewRedactor redacts the values of Vars read with getenv (nil: nothing).
func NewRedactor(getenv func(string) string) *Redactor {
	var values []string
	if getenv != nil {
		for _, v := range Vars {
			values = append(values, getenv(v))
		}
	}
	return NewRedactorOf(values...)
}

// NewRedactorOf redacts the given values; empty ones are ignored.
func NewRedactorOf(values ...string) *Redactor {
	r := &Redactor{}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		r.secrets = append(r.secrets, []byte(v))
		if r.minLen == 0 || len(v) < r.minLen {
			r.minLen = len(v)
		}
		for _, f := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			for _, g := range []string{f, lowerHexEscapes(f)} {
				if !slices.Contains(r.forms, g) { // most secrets escape to themselves
					r.forms = append(r.forms, g)
				}
			}
		}
	}
	// Longer forms first, so that a form containing another is replaced whole.
	slices.SortStableFunc(r.forms, func(a, b string) int { return len(b) - len(a) })
	return r
}

// Redact returns s with every form of every secret replaced by Redacted.
func (r *Redactor) Redact(s string) string {
	if r == nil || len(r.secrets) == 0 || len(s) < r.minLen {
		return s // every form of a secret is at least as long as it
	}
	s = r.redactBase64(s, base64.RawStdEncoding, '+', '/')
	s = r.redactBase64(s, base64.RawURLEncoding, '-', '_')
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

// redactBase64 replaces each run of enc's alphabet (letters, digits, c62 and
// c63, then any padding) whose decoding, from any of the four alignments,
// holds a secret.
func (r *Redactor) redactBase64(s string, enc *base64.Encoding, c62, c63 byte) string {
	in := func(c byte) bool {
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == c62 || c == c63
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !in(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && in(s[j]) {
			j++
		}
		run := s[i:j]
		for j < len(s) && s[j] == '=' {
			j++
		}
		// n characters decode to at most 3n/4 bytes: a run too short to
		// hold the shortest secret costs no decoding.
		if len(run)*3/4 >= r.minLen && r.decodesToSecret(run, enc) {
			b.WriteString(s[last:i])
			b.WriteString(Redacted)
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func (r *Redactor) decodesToSecret(run string, enc *base64.Encoding) bool {
	var small [256]byte // most runs (a signature, a token) decode in here
	buf := small[:]
	if n := enc.DecodedLen(len(run)); n > len(buf) {
		buf = make([]byte, n)
	}
	for off := 0; off < 4 && len(run)-off >= 2; off++ {
		part := run[off:]
		if len(part)%4 == 1 {
			part = part[:len(part)-1] // a lone last character encodes no byte
		}
		// Decode only reads its source: no copy of part.
		n, err := enc.Decode(buf, unsafe.Slice(unsafe.StringData(part), len(part)))
		if err != nil {
			continue
		}
		dec := buf[:n]
		for _, sec := range r.secrets {
			if bytes.Contains(dec, sec) {
				return true
			}
		}
	}
	return false
}

// lowerHexEscapes spells percent escapes in lower case (%2f), as some
// servers re-encode them.
func lowerHexEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = toLower(b[i+1]), toLower(b[i+2])
		}
	}
	return string(b)
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}
