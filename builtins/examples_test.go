package builtins

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// examplesMachine loads the shipped scripts with a real outbound client
// (private addresses allowed: the test APIs are on loopback) and env.
func examplesMachine(t *testing.T, env map[string]string) (*runtime.Machine, *goldenEnv) {
	t.Helper()
	prog, err := lang.LoadDirs([]string{"../scripts"}, Specs())
	if err != nil {
		t.Fatal(err)
	}
	ge := newGoldenEnv(t, nil)
	deps := ge.deps()
	deps.HTTP = delivery.NewHTTPClient(allowPrivate)
	opts := ge.options()
	opts.Getenv = func(k string) string { return env[k] }
	m, err := runtime.New(prog, Registry(deps), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, ge
}

func TestExampleCRMLookup(t *testing.T) {
	var mu sync.Mutex
	auth := map[string]string{} // by phone
	var seenQuery string
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth[r.URL.Query().Get("phone")], seenQuery = r.Header.Get("Authorization"), r.URL.RawQuery
		mu.Unlock()
		switch r.URL.Query().Get("phone") {
		case "447700900123":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"name":"Ana","plan":"gold"}`)
		case "447700900999":
			http.NotFound(w, r)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer crm.Close()
	tests := []struct {
		name, from string
		env        map[string]string
		sent, log  string
	}{
		{"known customer", "447700900123", map[string]string{"CRM_API_URL": crm.URL, "CRM_API_TOKEN": "crm-tok"},
			`whatsapp: to="447700900123" text="Hi Ana! Thanks for your message. As a gold customer you will hear from us within the hour."`, ""},
		{"unknown number", "447700900999", map[string]string{"CRM_API_URL": crm.URL},
			`whatsapp: to="447700900999" text="Thanks for your message! Reply with your e-mail address so that we can find your account."`, ""},
		{"CRM error", "447700900555", map[string]string{"CRM_API_URL": crm.URL},
			`whatsapp: to="447700900555" text="Thanks for your message! We will get back to you soon."`,
			`msg="CRM lookup answered 502; sending a plain reply"`},
		{"CRM_API_URL unset", "447700900123", nil,
			`whatsapp: to="447700900123" text="Thanks for your message! We will get back to you soon."`,
			`msg="CRM_API_URL is unset: skipping the customer lookup for 447700900123" request_id=r at=crm_lookup.bas:30`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ge := examplesMachine(t, tc.env)
			job := runtime.Job{Sub: "CRM REPLY", Args: []runtime.Value{runtime.Str(tc.from)}, RequestID: "r"}
			if _, err := m.RunSub(context.Background(), job); err != nil {
				t.Fatal(err)
			}
			if len(ge.sent) != 1 || ge.sent[0] != tc.sent {
				t.Errorf("sent %q, want %q", ge.sent, tc.sent)
			}
			if log := strings.Join(ge.logLines(), "\n"); tc.log != "" && !strings.Contains(log, tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, log)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if seenQuery != "phone=447700900555" {
		t.Errorf("last query %q", seenQuery)
	}
	// The token goes with the run that set it, and never into the next run.
	if auth["447700900123"] != "Bearer crm-tok" || auth["447700900999"] != "" {
		t.Errorf("Authorization by phone: %q", auth)
	}
}

func TestExampleDailySummary(t *testing.T) {
	var mu sync.Mutex
	var posted, auth string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stats":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"tickets_open":4,"tickets_closed":17}`)
		case "/post":
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			posted, auth = r.Header.Get("Content-Type")+" "+string(b), r.Header.Get("Authorization")
			mu.Unlock()
		}
	}))
	defer api.Close()

	m, ge := examplesMachine(t, map[string]string{"SUMMARY_STATS_URL": api.URL + "/stats", "SUMMARY_POST_URL": api.URL + "/post"})
	s := m.Program().ScheduleByKey("daily_summary.bas:11")
	if s == nil {
		t.Fatal("no schedule at daily_summary.bas:11")
	}
	if _, err := m.RunSchedule(context.Background(), s, "s1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := posted
	mu.Unlock()
	day := `"date":"20`
	if !strings.HasPrefix(got, `application/json {"date":"`) || !strings.Contains(got, `,"tickets":{"open":4,"closed":17},"text":"Daily summary for `) ||
		!strings.HasSuffix(got, `: 4 open, 17 closed"}`) || !strings.Contains(got, day) || auth != "" {
		t.Errorf("posted %q (auth %q)", got, auth)
	}
	if len(ge.sent) != 0 {
		t.Errorf("sent %q", ge.sent)
	}

	// On the embedded defaults: no URLs, a LOG line and a mail.
	m, ge = examplesMachine(t, nil)
	if _, err := m.RunSchedule(context.Background(), m.Program().ScheduleByKey("daily_summary.bas:11"), "s2"); err != nil {
		t.Fatal(err)
	}
	if len(ge.sent) != 1 || !strings.HasPrefix(ge.sent[0], `mail: to="ops@example.com" subject="Daily summary for 20`) {
		t.Errorf("sent %q", ge.sent)
	}
	if log := strings.Join(ge.logLines(), "\n"); !strings.Contains(log, `msg="SUMMARY_STATS_URL is unset: the summary has no ticket figures" request_id=s2 at=daily_summary.bas:17`) {
		t.Errorf("log:\n%s", log)
	}
}
