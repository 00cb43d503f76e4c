package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// scrape is the registry's text, only the lines of the named families.
func scrape(t *testing.T, m *Metrics, names ...string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	var out []string
	for _, l := range strings.Split(string(body), "\n") {
		for _, n := range names {
			if strings.HasPrefix(l, n+"{") {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}

// The series a route's requests count into are looked up once and kept:
// counts must land where WithLabelValues would put them, per status, and
// requests nothing ran (unmatched, steps 0) make no steps series.
func TestRequestCountsPerRouteAndStatus(t *testing.T) {
	m := New()
	for _, r := range []struct {
		route  string
		status int
		steps  int
	}{
		{"POST /twilio/voice", 200, 12}, {"POST /twilio/voice", 200, 12}, {"POST /twilio/voice", 403, 0},
		{Unmatched, 404, 0}, {"GET /webhooks/whatsapp", 200, 5}, {Unmatched, 404, 0},
	} {
		m.Request(r.route, r.status, time.Millisecond, r.steps)
	}
	want := `gbhook_http_requests_total{route="GET /webhooks/whatsapp",status="200"} 1
gbhook_http_requests_total{route="POST /twilio/voice",status="200"} 2
gbhook_http_requests_total{route="POST /twilio/voice",status="403"} 1
gbhook_http_requests_total{route="unmatched",status="404"} 2
gbhook_script_steps_total{route="GET /webhooks/whatsapp"} 5
gbhook_script_steps_total{route="POST /twilio/voice"} 24`
	if got := scrape(t, m, "gbhook_http_requests_total", "gbhook_script_steps_total"); got != want {
		t.Errorf("scrape:\n%s\nwant:\n%s", got, want)
	}
	if got, want := scrape(t, m, "gbhook_http_request_duration_seconds_count"), `gbhook_http_request_duration_seconds_count{route="GET /webhooks/whatsapp"} 1
gbhook_http_request_duration_seconds_count{route="POST /twilio/voice"} 3
gbhook_http_request_duration_seconds_count{route="unmatched"} 2`; got != want {
		t.Errorf("durations:\n%s\nwant:\n%s", got, want)
	}
}

// The log sink's drop count is read at each scrape.
func TestLogLinesDroppedIsScraped(t *testing.T) {
	m := New()
	var dropped uint64
	m.CountLogDrops(func() uint64 { return dropped })
	for _, want := range []string{"gbhook_log_lines_dropped_total 0\n", "gbhook_log_lines_dropped_total 7\n"} {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("scrape has no %q", want)
		}
		dropped = 7
	}
}
