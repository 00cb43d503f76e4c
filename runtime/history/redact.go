package history

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gbhook/gbhook/runtime/secret"
)

// Redacted replaces a hidden value.
const Redacted = secret.Redacted

// hiddenHeaders are never stored: credentials and signatures.
var hiddenHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Twilio-Signature", "X-Hub-Signature", "X-Hub-Signature-256",
}

// credentialHeaders are the hidden headers whose values are credentials: a
// script that echoes one anywhere gets it hidden in every form. Signatures
// are hidden where they appear verbatim (they only prove one body).
var credentialHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true}

// Redactor hides credential headers (by name) and secret values. Values are
// hidden by runtime/secret's Redactor, in every form it knows (plain,
// URL-encoded, base64); this type only adds the header names and the
// credentials a request carries.
type Redactor struct {
	values   []string
	sec      *secret.Redactor
	verbatim []string // a request's signatures, hidden as they are
}

// minSecretLen keeps a tiny value (say "1") from blanking half a body.
const minSecretLen = 4

// NewRedactor hides the values getenv gives for secret.Vars.
func NewRedactor(getenv func(string) string) *Redactor {
	var vals []string
	for _, name := range secret.Vars {
		vals = append(vals, getenv(name))
	}
	return newRedactor(vals)
}

func newRedactor(vals []string) *Redactor {
	r := &Redactor{}
	for _, v := range vals {
		if len(v) >= minSecretLen {
			r.values = append(r.values, v)
			if t := strings.TrimSpace(v); t != v && len(t) >= minSecretLen {
				r.values = append(r.values, t)
			}
		}
	}
	if len(r.values) > 0 {
		r.sec = secret.NewRedactorOf(r.values...)
	}
	return r
}

// ForRequest adds the credentials a request carries in its hidden headers
// (say an Authorization token), so that a script echoing one into its
// answer or its error does not get it stored. A request with signatures
// only (every Twilio and Meta webhook) shares r's compiled forms.
func (r *Redactor) ForRequest(h http.Header) *Redactor {
	if r == nil {
		r = &Redactor{}
	}
	var extra, verbatim []string
	for _, k := range hiddenHeaders {
		for _, v := range h[k] {
			if !credentialHeaders[k] {
				if len(v) >= minSecretLen {
					verbatim = append(verbatim, v)
				}
				continue
			}
			extra = append(extra, v)
			if _, cred, ok := strings.Cut(v, " "); ok { // Bearer x, Basic x
				extra = append(extra, strings.TrimSpace(cred))
			}
			if k == "Cookie" {
				for _, c := range strings.Split(v, ";") {
					if _, val, ok := strings.Cut(c, "="); ok {
						extra = append(extra, val)
					}
				}
			}
		}
	}
	out := r
	if len(extra) > 0 {
		out = newRedactor(append(extra, r.values...))
	}
	if len(verbatim) > 0 {
		c := *out
		c.verbatim = verbatim
		out = &c
	}
	return out
}

// String hides every secret value in s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	if r.sec != nil {
		s = r.sec.Redact(s)
	}
	for _, v := range r.verbatim {
		s = strings.ReplaceAll(s, v, Redacted)
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
