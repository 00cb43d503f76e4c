package admin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
)

// Names of the session cookie and of the CSRF header and form field.
const (
	sessionCookie = "gbhook_admin"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
)

// auth checks admin requests. With a token: a Bearer header, or the session
// cookie the login form sets; POSTs under the cookie also need the CSRF
// token. Without a token (loopback only): the Host must be a loopback name,
// against DNS rebinding, and POSTs need the CSRF token, against cross-site
// forms.
type auth struct {
	token   string
	session string // cookie value: HMAC(token, …), so it dies with the token
	csrf    string
}

func newAuth(token string) *auth {
	key := []byte(token)
	if token == "" {
		key = []byte(rand.Text())
	}
	mac := func(msg string) string {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return hex.EncodeToString(h.Sum(nil))
	}
	return &auth{token: token, session: mac("gbhook admin session"), csrf: mac("gbhook admin csrf")}
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (a *auth) bearer(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const p = "Bearer "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return false
	}
	return equal(strings.TrimSpace(h[len(p):]), a.token)
}

func (a *auth) cookie(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	return err == nil && equal(c.Value, a.session)
}

func (a *auth) csrfOK(r *http.Request) bool {
	v := r.Header.Get(csrfHeader)
	if v == "" {
		v = r.PostFormValue(csrfField)
	}
	return v != "" && equal(v, a.csrf)
}

func (a *auth) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Cache-Control", "no-store")
		if a.token == "" {
			a.open(w, r, next)
			return
		}
		if r.URL.Path == "/login" || a.bearer(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !a.cookie(r) {
			if r.Method == http.MethodGet && r.URL.Path == "/" {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="gbhook admin"`)
			jsonError(w, http.StatusUnauthorized, "unauthorized: send Authorization: Bearer <GBHOOK_ADMIN_TOKEN> or log in at /login")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !a.csrfOK(r) {
			jsonError(w, http.StatusForbidden, "forbidden: missing or wrong CSRF token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// open serves the token-less (loopback) listener.
func (a *auth) open(w http.ResponseWriter, r *http.Request, next http.Handler) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if !isLoopbackHost(strings.Trim(host, "[]")) {
		jsonError(w, http.StatusForbidden, "forbidden: the admin listener without GBHOOK_ADMIN_TOKEN answers only loopback host names")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.URL.Path != "/login" && !a.csrfOK(r) {
		jsonError(w, http.StatusForbidden, "forbidden: missing or wrong CSRF token")
		return
	}
	next.ServeHTTP(w, r)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, "login.html", map[string]any{"Failed": r.URL.Query().Has("failed"), "NoToken": s.auth.token == ""})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.auth.token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !equal(r.PostFormValue("token"), s.auth.token) {
		http.Redirect(w, r, "/login?failed=1", http.StatusSeeOther)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.auth.session, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
