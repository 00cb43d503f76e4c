package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
	_ "modernc.org/sqlite" // to read the history tables
)

func TestAdminNonLoopbackWithoutTokenRefusesToStart(t *testing.T) {
	scripts, _ := filepath.Abs("../../scripts")
	addr := "0.0.0.0:" + strings.Split(freeAddr(t), ":")[1]
	cmd := exec.Command(binary, "serve", "--scripts", scripts, "--data", t.TempDir(), "--addr", freeAddr(t))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GBHOOK_ADMIN_ADDR=" + addr}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("serve with a non-loopback admin address and no token: err %v, want exit status 1; output:\n%s", err, out)
	}
	want := "gbhook: admin address " + addr + " is not loopback: set GBHOOK_ADMIN_TOKEN, or bind the admin listener to 127.0.0.1, or set --admin-addr off\n"
	if string(out) != want {
		t.Fatalf("output:\n%q\nwant\n%q", out, want)
	}
}

func get(t *testing.T, c *http.Client, method, url string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminTokenRequired(t *testing.T) {
	const token = "admin-token-5e1f0c2b"
	srv := startServe(t, map[string]string{"GBHOOK_ADMIN_TOKEN": token, "TWILIO_AUTH_TOKEN": twilioToken})
	if out, err := srv.simulate(t, nil, "twilio-call"); err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	base := "http://" + srv.admin
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, method, path, auth string
		want                     int
	}{
		{"api without token", "GET", "/api/requests", "", 401},
		{"metrics without token", "GET", "/metrics", "", 401},
		{"events without token", "GET", "/api/events", "", 401},
		{"replay without token", "POST", "/api/requests/1/replay", "", 401},
		{"inspector without token goes to login", "GET", "/", "", 303},
		{"wrong token", "GET", "/api/requests", "Bearer admin-token-5e1f0c2c", 401},
		{"token without Bearer", "GET", "/api/requests", token, 401},
		{"api with token", "GET", "/api/requests", "Bearer " + token, 200},
		{"metrics with token", "GET", "/metrics", "Bearer " + token, 200},
		{"profiles without token", "GET", "/debug/pprof/", "", 401},
		{"profiles with token", "GET", "/debug/pprof/", "Bearer " + token, 200},
		{"login form is open", "GET", "/login", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			if got, body := get(t, noRedirect, tt.method, base+tt.path, h); got != tt.want {
				t.Errorf("%s %s: status %d, want %d; body %s", tt.method, tt.path, got, tt.want, body)
			}
		})
	}

	t.Run("session cookie from the login form, CSRF on POST", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(base+"/login", url.Values{"token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		set := resp.Request.Response.Header.Get("Set-Cookie")
		for _, want := range []string{"gbhook_admin=", "HttpOnly", "SameSite=Strict"} {
			if !strings.Contains(set, want) {
				t.Errorf("Set-Cookie %q lacks %q", set, want)
			}
		}
		m := regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("inspector page after login has no CSRF token:\n%s", page)
		}
		if got, body := get(t, c, "GET", base+"/api/requests", nil); got != 200 {
			t.Fatalf("GET with the session cookie: %d %s", got, body)
		}
		if got, body := get(t, c, "POST", base+"/api/requests/1/replay", nil); got != 403 ||
			body != `{"error":"forbidden: missing or wrong CSRF token"}`+"\n" {
			t.Errorf("POST without CSRF token: %d %s", got, body)
		}
		if got, body := get(t, c, "POST", base+"/api/requests/1/replay", map[string]string{"X-CSRF-Token": string(m[1])}); got != 200 ||
			!strings.Contains(body, `"replay_of":1`) {
			t.Errorf("POST with CSRF token: %d %s", got, body)
		}
	})
}

func TestWebhookPortServesNoAdminPaths(t *testing.T) {
	srv := startServe(t, nil)
	for _, p := range []string{"/metrics", "/api/requests", "/", "/api/events", "/login", "/debug/pprof/"} {
		if got, body := get(t, http.DefaultClient, "GET", "http://"+srv.addr+p, nil); got != 404 || body != "not found" {
			t.Errorf("webhook port GET %s: %d %q, want 404 \"not found\"", p, got, body)
		}
		if p == "/api/events" {
			continue // a stream: it never ends
		}
		if got, _ := get(t, http.DefaultClient, "GET", "http://"+srv.admin+p, nil); got == 404 {
			t.Errorf("admin port GET %s: 404", p)
		}
	}
}

const echoScript = `ON WEBHOOK POST TO "/echo" DO
  LOG "echo " + GET REQUEST BODY + " " + GET HEADER "X-Note"
  PRINT "echo " + GET REQUEST BODY + " " + GET QUERY VALUE "k" + " " + GET HEADER "X-Note"
END ON

ON WEBHOOK POST TO "/echo-json" DO
  LET OBJ = PARSE JSON GET REQUEST BODY
  PRINT "ok"
END ON
`

func TestSecretsNeverStoredServedOrLogged(t *testing.T) {
	const clientSecret = "client-bearer-9d2e7a"
	mail := deliverytest.NewSMTP(t, "gbhook", smtpPass)
	// Graph refuses the send and quotes the token back: the error must not carry it into the history.
	graph := deliverytest.NewGraph(t, deliverytest.Reply{Status: 400,
		Body: `{"error":{"message":"Invalid OAuth access token ` + waToken + `","type":"OAuthException","code":100}}`})
	srv := startServe(t, map[string]string{
		"TWILIO_AUTH_TOKEN": twilioToken, "META_APP_SECRET": metaSecret,
		"WHATSAPP_TOKEN": waToken, "WHATSAPP_PHONE_NUMBER_ID": "113469798404167", "WHATSAPP_API_URL": graph.URL,
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.Port, "SMTP_TLS": "none", "SMTP_USERNAME": "gbhook", "SMTP_PASSWORD": smtpPass,
	})
	secrets := []string{clientSecret, twilioToken, metaSecret, waToken, smtpPass}
	srv.writeScript(t, "echo.bas", echoScript)
	waitReload(t, srv, func(_, routes []map[string]any) bool { return hasRoute(routes, "POST /echo-json") })

	events := streamEvents(t, "http://"+srv.admin+"/api/events")
	all := strings.Join(secrets[1:], ",")
	req, _ := http.NewRequest("POST", "http://"+srv.addr+"/echo?k="+url.QueryEscape(smtpPass), strings.NewReader("body:"+all))
	req.Header.Set("Authorization", "Bearer "+clientSecret)
	req.Header.Set("X-Note", waToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, "the webhook's own answer (not stored)", string(answer), twilioToken, metaSecret, waToken, smtpPass)
	if code, _ := get(t, http.DefaultClient, "POST", "http://"+srv.addr+"/echo-json", nil); code != 400 {
		t.Errorf("echo-json with an empty body: %d, want 400", code)
	}
	for _, args := range [][]string{{"twilio-call"}, {"twilio-gather", "--digits", "123456"}, {"whatsapp-text", "--text", metaSecret}} {
		if out, err := srv.simulate(t, nil, args...); err != nil {
			t.Fatalf("simulate %v: %v\n%s", args, err, out)
		}
	}
	mail.WaitFor(1, 10*time.Second)
	graph.WaitFor(1, 10*time.Second)

	// Wait until the history holds all five requests and the job's outcome.
	var ids []float64
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list []map[string]any
		srv.adminJSON(t, "/api/requests", &list)
		ids = ids[:0]
		for _, r := range list {
			ids = append(ids, r["id"].(float64))
		}
		var wa map[string]any
		if len(list) > 0 {
			srv.adminJSON(t, fmt.Sprintf("/api/requests/%d", int(ids[0])), &wa)
		}
		if len(ids) == 5 && fmt.Sprint(wa["jobs"]) != "[]" && strings.Contains(fmt.Sprint(wa["jobs"]), "failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history has %d requests (want 5) or no job outcome; logs:\n%s", len(ids), srv.logs)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The API answers: lists, every detail, routes, problems, metrics, the page.
	var api strings.Builder
	for _, p := range []string{"/api/requests", "/api/routes", "/api/problems", "/metrics", "/"} {
		_, body := get(t, http.DefaultClient, "GET", "http://"+srv.admin+p, nil)
		api.WriteString(body)
	}
	for _, id := range ids {
		_, body := get(t, http.DefaultClient, "GET", fmt.Sprintf("http://%s/api/requests/%d", srv.admin, int(id)), nil)
		api.WriteString(body)
	}
	mustContain(t, "the history's API answers", api.String(), `"body":"body:[REDACTED],[REDACTED],[REDACTED],[REDACTED]"`,
		`"Authorization":["[REDACTED]"]`, `"X-Twilio-Signature":["[REDACTED]"]`, `"X-Hub-Signature-256":["[REDACTED]"]`,
		`"path":"/echo?k=[REDACTED]"`, `Invalid OAuth access token [REDACTED]`)
	// The stored history: every column of every history row, read with SQL.
	// (The job queue's own table holds SPAWN arguments, which are the
	// script's business; this message's text is one of them.)
	stored := dumpHistory(t, filepath.Join(srv.data, "gbhook.db"))
	if !strings.Contains(stored, "[REDACTED]") {
		t.Fatalf("the history tables hold no redacted record:\n%s", stored)
	}
	places := map[string]string{"stored history": stored, "API answers": api.String(),
		"event stream": events(), "logs": srv.logs.String()}
	for place, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("secret %q appears in the %s", s, place)
			}
		}
	}
}

// streamEvents reads /api/events in the background; the func returns what
// arrived so far.
func streamEvents(t *testing.T, url string) func() string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := &testlog.Buffer{}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			buf.Write([]byte(sc.Text() + "\n"))
		}
	}()
	return func() string {
		if !strings.Contains(buf.String(), "event: request") {
			t.Errorf("the event stream carried no request event:\n%s", buf.String())
		}
		return buf.String()
	}
}

// dumpHistory reads every column of the history tables as text.
func dumpHistory(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, table := range []string{"history_requests", "history_events"} {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\t", v)
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

const laterScript = `ON WEBHOOK POST TO "/later" DO
  SPAWN BREAK LATER "not json"
  PRINT "queued"
END ON

SUB BREAK LATER TEXT$
  LET OBJ = PARSE JSON TEXT$
END SUB
`

func TestAdminFailedJobsRetryAndCancel(t *testing.T) {
	srv := startServe(t, nil)
	srv.writeScript(t, "later.bas", laterScript)
	waitReload(t, srv, func(_, routes []map[string]any) bool { return hasRoute(routes, "POST /later") })
	if code, body := get(t, http.DefaultClient, "POST", "http://"+srv.addr+"/later", nil); code != 200 || body != "queued" {
		t.Fatalf("POST /later: %d %q", code, body)
	}
	var jobs []map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for len(jobs) == 0 && time.Now().Before(deadline) {
		srv.adminJSON(t, "/api/jobs?state=failed", &jobs)
		time.Sleep(100 * time.Millisecond)
	}
	if len(jobs) != 1 || jobs[0]["sub"] != "BREAK LATER" || !strings.HasPrefix(jobs[0]["error"].(string), filepath.Join(srv.scripts, "later.bas")+":7:13: ") {
		t.Fatalf("failed jobs: %v; logs:\n%s", jobs, srv.logs)
	}
	id := int(jobs[0]["id"].(float64))
	var list []map[string]any
	srv.adminJSON(t, "/api/requests?route="+url.QueryEscape("POST /later"), &list)
	var detail map[string]any
	srv.adminJSON(t, fmt.Sprintf("/api/requests/%d", int(list[0]["id"].(float64))), &detail)
	if js := fmt.Sprint(detail["jobs"]); !strings.Contains(js, "sub:BREAK LATER") || !strings.Contains(js, "state:failed") {
		t.Errorf("the request's jobs: %s", js)
	}
	tests := []struct {
		name, path string
		want       int
		body       string
	}{
		{"retry", fmt.Sprintf("/api/jobs/%d/retry", id), 200, fmt.Sprintf(`{"id":%d,"ok":true}`, id)},
		{"cancel", fmt.Sprintf("/api/jobs/%d/cancel", id), 200, fmt.Sprintf(`{"id":%d,"ok":true}`, id)},
		{"unknown job", "/api/jobs/999999/retry", 404, `{"error":"no such job: 999999"}`},
		{"bad id", "/api/jobs/x/retry", 400, `{"error":"bad job id \"x\""}`},
	}
	csrf := csrfToken(t, "http://"+srv.admin+"/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, http.DefaultClient, "POST", "http://"+srv.admin+tt.path, map[string]string{"X-CSRF-Token": csrf})
			if code != tt.want || body != tt.body+"\n" {
				t.Errorf("POST %s: %d %s, want %d %s", tt.path, code, body, tt.want, tt.body)
			}
		})
	}
	var bad map[string]string
	srv.adminJSON(t, "/api/jobs?state=nonsense", &bad)
	if !strings.HasPrefix(bad["error"], `bad state "nonsense": want one of failed, `) {
		t.Errorf("bad state: %v", bad)
	}
}

// csrfToken reads the CSRF token the inspector page carries.
func csrfToken(t *testing.T, pageURL string) string {
	t.Helper()
	_, page := get(t, http.DefaultClient, "GET", pageURL, nil)
	m := regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the inspector page")
	}
	return m[1]
}
