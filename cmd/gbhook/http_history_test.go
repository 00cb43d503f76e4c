package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/history"
)

const httpCallScript = `ON WEBHOOK POST TO "/lookup" DO
  LET R = HTTP REQUEST "GET", GET ENV("API_URL") + "/users/42?token=query-token-31337"
  LET S = HTTP REQUEST "POST", GET ENV("API_URL") + "/down", "body-data"
  PRINT "done"
END ON
`

// Issue 10 on issue 9: each outbound HTTP call joins the request's history
// as a delivery of kind http (method, host, path; never the query, headers
// or bodies) and is counted in gbhook_deliveries_total.
func TestOutboundHTTPCallsAreRecordedAsDeliveries(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"name":"Ana"}`)
	}))
	defer api.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lookup.bas"), []byte(httpCallScript), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"API_URL": api.URL, "GBHOOK_HTTP_ALLOW_PRIVATE": "1"}
	a, err := newApp(appConfig{Dirs: []string{dir}, Data: t.TempDir(), Getenv: func(k string) string { return env[k] },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Observe: &observeConfig{AdminAddr: "off"}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	defer a.queue.Close()
	if err := a.load(); err != nil {
		t.Fatal(err)
	}
	hooks := httptest.NewServer(a.srv.Handler())
	defer hooks.Close()
	adm := httptest.NewServer(a.obs.metricsHandler())
	defer adm.Close()
	resp, err := http.Post(hooks.URL+"/lookup", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "done" {
		t.Fatalf("POST /lookup: %d %q", resp.StatusCode, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.obs.rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := a.obs.store.List(ctx, history.Filter{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("history list: %+v %v", list, err)
	}
	rec, err := a.obs.store.Get(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(api.URL, "http://")
	u, _ := url.Parse(api.URL)
	var got []string
	for _, d := range rec.Deliveries {
		if d.DurationMS < 0 {
			t.Errorf("negative duration: %+v", d)
		}
		got = append(got, strings.Join([]string{d.Kind, d.Outcome, d.Method, d.Host, d.Path, http.StatusText(d.Status), d.Error}, "|"))
	}
	want := []string{
		"http|ok|GET|" + host + "|/users/42|OK|",
		"http|transient|POST|" + host + "|/down|Service Unavailable|POST http://" + u.Host + "/down: HTTP 503 Service Unavailable (transient)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	stored, _ := a.obs.store.Get(ctx, list[0].ID)
	for _, d := range stored.Deliveries {
		for _, leak := range []string{"query-token-31337", "body-data", "Ana"} {
			if strings.Contains(d.To+d.Where+d.Path+d.Error, leak) {
				t.Errorf("delivery %+v shows %q", d, leak)
			}
		}
	}
	m := series(t, adm.URL, "gbhook_deliveries_total")
	if m[`{kind="http",outcome="ok"}`] != "1" || m[`{kind="http",outcome="transient"}`] != "1" {
		t.Errorf("gbhook_deliveries_total: %v, want http ok 1 and transient 1", m)
	}
}
