package history

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gbhook/gbhook/runtime/secret"
)

// Redacted replaces a hidden value.
const Redacted = "[REDACTED]"

// hiddenHeaders are never stored: credentials and signatures.
var hiddenHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Twilio-Signature", "X-Hub-Signature", "X-Hub-Signature-256",
}

// Redactor hides credentials and the values of the configured secrets.
type Redactor struct {
	values []string
	repl   *strings.Replacer
}

// minSecretLen keeps a tiny value (say "1") from blanking half a body.
const minSecretLen = 4

// NewRedactor hides the values getenv gives for secret.Vars.
func NewRedactor(getenv func(string) string) *Redactor {
	r := &Redactor{}
	var pairs []string
	for _, name := range secret.Vars {
		if v := getenv(name); len(v) >= minSecretLen {
			r.values = append(r.values, v)
			if t := strings.TrimSpace(v); t != v && len(t) >= minSecretLen {
				r.values = append(r.values, t)
			}
		}
	}
	for _, v := range r.values {
		pairs = append(pairs, v, Redacted)
	}
	if len(pairs) > 0 {
		r.repl = strings.NewReplacer(pairs...)
	}
	return r
}

// String hides every secret value in s.
func (r *Redactor) String(s string) string {
	if r == nil || r.repl == nil {
		return s
	}
	for _, v := range r.values {
		if strings.Contains(s, v) {
			return r.repl.Replace(s)
		}
	}
	return s
}

// Header copies h with credential headers and secret values hidden.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = r.String(v)
		}
		out[k] = c
	}
	for _, k := range hiddenHeaders {
		if vs, ok := out[k]; ok {
			for i := range vs {
				vs[i] = Redacted
			}
		}
	}
	return out
}

// Body caps b at max bytes (on a character boundary) and hides secrets. The
// secrets are hidden before cutting, so that a secret across the cut does not
// leave its first half behind.
func (r *Redactor) Body(b []byte, max int) (string, bool) {
	s := r.String(string(b))
	if max <= 0 || len(s) <= max {
		return s, false
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}
