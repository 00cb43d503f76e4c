package server

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/dedupe"
	"github.com/gbhook/gbhook/runtime/signature"
)

// Secret environment variables of the FROM clauses.
const (
	TwilioSecretEnv = "TWILIO_AUTH_TOKEN"
	MetaSecretEnv   = "META_APP_SECRET"
)

// table is an immutable routing table for one Machine. A request loads the
// table once and keeps it (and so its Machine) to the end, whatever Swap does
// meanwhile.
type table struct {
	m      *runtime.Machine
	exact  map[string]*route // routes without :params, by path
	params map[int][]*route  // routes with :params, by segment count, most specific first
}

// route is one path pattern and the handlers of its methods.
type route struct {
	segs     []lang.Segment
	byMethod map[string]*entry
	allow    []string // sorted methods
}

// entry is one handler with its signature scheme chosen at swap time.
type entry struct {
	h         *lang.Handler
	label     string // METHOD /pattern, for metrics, logs and the history
	secretEnv string // "" when the route has no FROM clause
	verify    verifier
	keys      func(r *http.Request, body []byte) []string // dedupe keys of a signed delivery
}

// verifier checks a request's signature against its raw body.
type verifier func(cfg *Config, r *http.Request, secret string, body []byte) error

func verifyTwilio(cfg *Config, r *http.Request, secret string, body []byte) error {
	scheme, host := cfg.origin(r)
	u := signature.TwilioURL(cfg.PublicURL, scheme, host, r.RequestURI)
	return signature.VerifyTwilio(secret, u, r.Header.Get("Content-Type"), body, r.Header.Get("X-Twilio-Signature"))
}

func verifyMeta(_ *Config, r *http.Request, secret string, body []byte) error {
	return signature.VerifyMeta(secret, body, r.Header.Get("X-Hub-Signature-256"))
}

// buildTable indexes every handler of m's program. The checker has already
// rejected duplicate routes, so each method+pattern appears once.
func buildTable(m *runtime.Machine) *table {
	t := &table{m: m, exact: map[string]*route{}, params: map[int][]*route{}}
	byKey := map[string]*route{}
	for _, h := range m.Program().Handlers {
		key := lang.RouteKey(h.Segments)
		r := byKey[key]
		if r == nil {
			r = &route{segs: h.Segments, byMethod: map[string]*entry{}}
			byKey[key] = r
			if hasParam(h.Segments) {
				t.params[len(h.Segments)] = append(t.params[len(h.Segments)], r)
			} else {
				t.exact[h.Path] = r
			}
		}
		r.byMethod[h.Method] = newEntry(h)
	}
	for _, r := range byKey {
		for meth := range r.byMethod {
			r.allow = append(r.allow, meth)
		}
		if r.byMethod[http.MethodGet] != nil {
			r.allow = append(r.allow, http.MethodHead) // HEAD runs the GET handler
		}
		sort.Strings(r.allow)
	}
	for _, rs := range t.params {
		sort.SliceStable(rs, func(i, j int) bool { return moreSpecific(rs[i].segs, rs[j].segs) })
	}
	return t
}

func newEntry(h *lang.Handler) *entry {
	e := &entry{h: h, label: h.Method + " " + h.Path}
	switch h.From {
	case lang.FromTwilio:
		e.secretEnv, e.verify = TwilioSecretEnv, verifyTwilio
		e.keys = func(r *http.Request, _ []byte) []string { return dedupe.Twilio(r.Header) }
	case lang.FromWhatsApp:
		e.secretEnv, e.verify = MetaSecretEnv, verifyMeta
		e.keys = func(_ *http.Request, body []byte) []string { return dedupe.WhatsApp(body) }
	}
	return e
}

func hasParam(segs []lang.Segment) bool {
	for _, s := range segs {
		if s.Param {
			return true
		}
	}
	return false
}

// moreSpecific orders patterns of equal length: at the first difference a
// static segment beats a :param, so "/bots/new/hook" style routes win.
func moreSpecific(a, b []lang.Segment) bool {
	for i := range a {
		if a[i].Param != b[i].Param {
			return !a[i].Param
		}
	}
	return false
}

// match finds the handler for method and path. found reports whether any
// route has this path; when it does but not with this method, allow lists the
// methods that would be accepted.
func (t *table) match(method, escapedPath string) (e *entry, params map[string]string, allow []string, found bool) {
	// The common case first: a static route, no escapes, so the path is its
	// own key and need not be split.
	if !strings.Contains(escapedPath, "%") {
		if r := t.exact[escapedPath]; r != nil {
			if e := r.byMethod[method]; e != nil {
				return e, nil, nil, true
			}
		}
	}
	segs := splitRequestPath(escapedPath)
	var cands []*route
	if r := t.exact[exactKey(escapedPath, segs)]; r != nil {
		if e := r.byMethod[method]; e != nil {
			return e, nil, nil, true
		}
		cands = append(cands, r)
	}
	for _, r := range t.params[len(segs)] {
		if !r.matches(segs) {
			continue
		}
		if e := r.byMethod[method]; e != nil {
			return e, r.capture(segs), nil, true
		}
		cands = append(cands, r)
	}
	if len(cands) == 0 {
		return nil, nil, nil, false
	}
	return nil, nil, unionAllow(cands), true
}

// exactKey is the path to look up among static routes: the request path as
// is in the common case, else its unescaped segments; a segment holding an
// encoded "/" can match no static route.
func exactKey(escaped string, segs []string) string {
	if !strings.Contains(escaped, "%") {
		return escaped
	}
	for _, s := range segs {
		if strings.Contains(s, "/") {
			return ""
		}
	}
	return "/" + strings.Join(segs, "/")
}

func (r *route) matches(segs []string) bool {
	for i, s := range r.segs {
		if !s.Param && s.Text != segs[i] {
			return false
		}
	}
	return true
}

func (r *route) capture(segs []string) map[string]string {
	params := map[string]string{}
	for i, s := range r.segs {
		if s.Param {
			params[s.Text] = segs[i]
		}
	}
	return params
}

// splitRequestPath splits the escaped path before unescaping each segment, so
// that an encoded "/" (%2F) stays inside its segment.
func splitRequestPath(escaped string) []string {
	if escaped == "/" || escaped == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, p := range parts {
		parts[i] = unescape(p)
	}
	return parts
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func unionAllow(rs []*route) []string {
	if len(rs) == 1 {
		return rs[0].allow
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		for _, m := range r.allow {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}
