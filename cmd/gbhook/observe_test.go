package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/history"
	"github.com/gbhook/gbhook/runtime/simulate"
)

// observedApp serves the seed scripts through the real wiring with metrics
// and history on (admin listener off), and serves its admin handler too.
func observedApp(t *testing.T, env map[string]string, logs io.Writer) (*app, *httptest.Server, *httptest.Server) {
	t.Helper()
	return observedAppWith(t, env, logs, observeConfig{AdminAddr: "off", MaxCount: 5000})
}

func observedAppWith(t *testing.T, env map[string]string, logs io.Writer, oc observeConfig) (*app, *httptest.Server, *httptest.Server) {
	t.Helper()
	a, err := newApp(appConfig{Dirs: []string{"../../scripts"}, Data: t.TempDir(),
		Getenv: func(k string) string { return env[k] }, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Observe: &oc})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.load(); err != nil {
		t.Fatal(err)
	}
	if err := a.queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	hooks := httptest.NewServer(a.srv.Handler())
	adm := httptest.NewServer(a.obs.adminServer(a.srv).Handler())
	t.Cleanup(func() {
		hooks.Close()
		adm.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.queue.Stop(ctx)
		a.queue.Close()
		a.close()
	})
	return a, hooks, adm
}

// series reads one metric family from a Prometheus text page: labels → value.
func series(t *testing.T, url, name string) map[string]string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[len(name):i]] = line[i+1:]
	}
	return out
}

func TestMetricsCountSimulatedLoadExactly(t *testing.T) {
	env := map[string]string{"TWILIO_AUTH_TOKEN": "metrics-twilio-token", "META_APP_SECRET": "metrics-meta-secret"}
	_, hooks, adm := observedApp(t, env, io.Discard)
	target := simulate.Target{BaseURL: hooks.URL, TwilioToken: env["TWILIO_AUTH_TOKEN"], MetaSecret: env["META_APP_SECRET"]}
	const n = 60
	for i := 0; i < n; i++ {
		for _, p := range []simulate.Payload{simulate.TwilioCall(), simulate.WhatsAppText("5511999999999", fmt.Sprint("load ", i))} {
			res, err := target.Send(context.Background(), p)
			if err != nil || res.Status != http.StatusOK {
				t.Fatalf("send %s: %v %+v", p.Path, err, res)
			}
		}
	}
	want := map[string]string{
		`{route="POST /twilio/voice",status="200"}`:      fmt.Sprint(n),
		`{route="POST /webhooks/whatsapp",status="200"}`: fmt.Sprint(n),
	}
	got := series(t, adm.URL+"/metrics", "gbhook_http_requests_total")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("gbhook_http_requests_total after %d simulated requests per route:\n got %v\nwant %v", n, got, want)
	}

	// 1,000 random unknown paths, with random Host headers, add only "unmatched".
	for i := 0; i < 1000; i++ {
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/x%d/%x", hooks.URL, i, rand.Uint64()), nil)
		req.Host = fmt.Sprintf("h%d.example", rand.Uint32())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown path: status %d, want 404", resp.StatusCode)
		}
	}
	want[`{route="unmatched",status="404"}`] = "1000"
	got = series(t, adm.URL+"/metrics", "gbhook_http_requests_total")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("gbhook_http_requests_total after 1000 unknown paths:\n got %v\nwant %v", got, want)
	}
	counts := series(t, adm.URL+"/metrics", "gbhook_http_request_duration_seconds_count")
	var labels []string
	for k := range counts {
		labels = append(labels, k)
	}
	sort.Strings(labels)
	if want := `[{route="POST /twilio/voice"} {route="POST /webhooks/whatsapp"} {route="unmatched"}]`; fmt.Sprint(labels) != want {
		t.Fatalf("duration histogram label sets %v, want %s", labels, want)
	}
}

// --history-max 0 turns the history off: requests are still counted, and
// nothing is stored, not even a script's LOG line.
func TestHistoryMaxZeroRecordsNothing(t *testing.T) {
	env := map[string]string{"TWILIO_AUTH_TOKEN": "off-twilio-token"}
	a, hooks, adm := observedAppWith(t, env, io.Discard, observeConfig{AdminAddr: "off", NoHistory: true})
	target := simulate.Target{BaseURL: hooks.URL, TwilioToken: env["TWILIO_AUTH_TOKEN"]}
	for _, p := range []simulate.Payload{simulate.TwilioCall(), simulate.TwilioGather("123456"), simulate.TwilioCall()} {
		if res, err := target.Send(context.Background(), p); err != nil || res.Status != http.StatusOK {
			t.Fatalf("send %s: %v %+v", p.Path, err, res)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.obs.rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got, body := get(t, http.DefaultClient, "GET", adm.URL+"/api/requests", nil); got != 200 || body != "[]\n" {
		t.Errorf("GET /api/requests with the history off: %d %q, want 200 \"[]\\n\"", got, body)
	}
	want := map[string]string{
		`{route="POST /twilio/gather",status="200"}`: "1",
		`{route="POST /twilio/voice",status="200"}`:  "2",
	}
	if got := series(t, adm.URL+"/metrics", "gbhook_http_requests_total"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gbhook_http_requests_total with the history off:\n got %v\nwant %v", got, want)
	}
}

// A record the server marked Unkept (the history had no room as its request
// started) is counted by the metrics and as a drop, and never stored.
func TestUnkeptRecordIsCountedAsDropped(t *testing.T) {
	a, _, adm := observedApp(t, map[string]string{}, io.Discard)
	before := a.obs.rec.Dropped()
	a.obs.observe(&history.Record{Method: "POST", Path: "/x", Route: "POST /x", Status: 200, Unkept: true,
		Request: &history.Message{}, Response: &history.Message{}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.obs.rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.obs.rec.Dropped() - before; got != 1 {
		t.Errorf("drops counted: %d, want 1", got)
	}
	if got, body := get(t, http.DefaultClient, "GET", adm.URL+"/api/requests", nil); got != 200 || body != "[]\n" {
		t.Errorf("GET /api/requests: %d %q, want 200 \"[]\\n\"", got, body)
	}
	want := map[string]string{`{route="POST /x",status="200"}`: "1"}
	if got := series(t, adm.URL+"/metrics", "gbhook_http_requests_total"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gbhook_http_requests_total: %v, want %v", got, want)
	}
}
