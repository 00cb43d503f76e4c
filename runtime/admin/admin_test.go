package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/runtime/history"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		name, addr, token, want string
	}{
		{"loopback v4", "127.0.0.1:3001", "", ""},
		{"loopback v6", "[::1]:3001", "", ""},
		{"localhost", "localhost:3001", "", ""},
		{"all interfaces without token", "0.0.0.0:3001", "", "admin address 0.0.0.0:3001 is not loopback: set GBHOOK_ADMIN_TOKEN, or bind the admin listener to 127.0.0.1, or set --admin-addr off"},
		{"empty host without token", ":3001", "", "admin address :3001 is not loopback: set GBHOOK_ADMIN_TOKEN, or bind the admin listener to 127.0.0.1, or set --admin-addr off"},
		{"all interfaces with token", "0.0.0.0:3001", "t0k3n", ""},
		{"no port", "127.0.0.1", "", `admin address "127.0.0.1": address 127.0.0.1: missing port in address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAddr(tt.addr, tt.token)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("CheckAddr(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func newTestServer(t *testing.T, token string) *Server {
	t.Helper()
	store, err := history.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return New(Config{Token: token, Store: store, Metrics: http.NotFoundHandler()})
}

func TestOpenListenerGuards(t *testing.T) {
	s := newTestServer(t, "")
	tests := []struct {
		name, method, host, path, csrf string
		want                           int
		body                           string
	}{
		{"loopback host", "GET", "127.0.0.1:3001", "/api/requests", "", 200, "[]\n"},
		{"localhost", "GET", "localhost:3001", "/api/problems", "", 200, "[]\n"},
		{"rebound DNS name", "GET", "evil.example:3001", "/api/requests", "", 403, `{"error":"forbidden: the admin listener without GBHOOK_ADMIN_TOKEN answers only loopback host names"}` + "\n"},
		{"POST without CSRF token", "POST", "127.0.0.1:3001", "/api/requests/1/replay", "", 403, `{"error":"forbidden: missing or wrong CSRF token"}` + "\n"},
		{"POST with CSRF token, unknown id", "POST", "127.0.0.1:3001", "/api/requests/1/replay", s.auth.csrf, 404, `{"error":"no request 1 in the history"}` + "\n"},
		{"bad id", "GET", "127.0.0.1:3001", "/api/requests/x", "", 400, `{"error":"bad request id \"x\""}` + "\n"},
		{"bad filter", "GET", "127.0.0.1:3001", "/api/requests?status=ok", "", 400, `{"error":"bad status \"ok\": want a non-negative integer"}` + "\n"},
		{"jobs without a durable queue", "GET", "127.0.0.1:3001", "/api/jobs?state=failed", "", 501, `{"error":"no job list: this server runs SPAWNed SUBs in process; configure the durable queue"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.Host = tt.host
			if tt.csrf != "" {
				r.Header.Set("X-CSRF-Token", tt.csrf)
			}
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code != tt.want || w.Body.String() != tt.body {
				t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, w.Code, w.Body, tt.want, tt.body)
			}
		})
	}
}

func TestInspectorPageIsSelfContained(t *testing.T) {
	s := newTestServer(t, "")
	for _, path := range []string{"/", "/static/app.js", "/static/style.css"} {
		r := httptest.NewRequest("GET", path, nil)
		r.Host = "127.0.0.1:3001"
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", path, w.Code)
		}
		if b := w.Body.String(); strings.Contains(b, "http://") || strings.Contains(b, "https://") {
			t.Errorf("GET %s refers to another site (no CDN, works offline)", path)
		}
	}
}
