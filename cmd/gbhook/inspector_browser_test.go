package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Without it the browser test skips on
// a laptop and fails in CI (where .ci/run installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; CI must run the browser test (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// browser starts a headless chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// shot saves a screenshot of the page under the test's artifact directory.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got, _ = chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if strings.Contains(got, want) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
	shot(t, ctx, "failure.png")
	t.Fatalf("%s: text %q does not contain %q", sel, got, want)
	return ""
}

func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// adminJSON GETs path from the admin listener into v.
func (s *server) adminJSON(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get("http://" + s.admin + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// writeScript saves a script into the served directory (hot reload picks it up).
func (s *server) writeScript(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.scripts, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const ordersV1 = `REM Orders, version 1: parses the body, so bad JSON fails at line 3.
ON WEBHOOK POST TO "/orders" DO
  LET OBJ = PARSE JSON GET REQUEST BODY
  PRINT "order " + GET JSON PATH OBJ, "id"
END ON
`

const ordersV2 = `REM Orders, version 2: answers without parsing.
ON WEBHOOK POST TO "/orders" DO
  PRINT "order received: " + GET REQUEST BODY
END ON
`

func TestInspectorBrowser(t *testing.T) {
	ctx := browser(t)
	srv := startServe(t, map[string]string{"META_APP_SECRET": "browser-meta-secret", "TWILIO_AUTH_TOKEN": "browser-twilio-token"})
	srv.writeScript(t, "orders.bas", ordersV1)
	waitReload(t, srv, func(ps []map[string]any, routes []map[string]any) bool {
		return hasRoute(routes, "POST /orders") && len(ps) == 0
	})

	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+srv.admin+"/"), chromedp.Evaluate[chromedp.Void]("window.__sameLoad = 42")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#live", "live")

	// A simulated WhatsApp text appears without a reload; its detail shows
	// the payload, the 200 and the spawned job's outcome.
	if out, err := srv.simulate(t, nil, "whatsapp-text", "--text", "hello inspector"); err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	waitText(t, ctx, `#requests tbody tr[data-route="POST /webhooks/whatsapp"]`, "200")
	sameLoad(t, ctx)
	click(t, ctx, `#requests tbody tr[data-route="POST /webhooks/whatsapp"]`)
	waitText(t, ctx, "#detail-status", "200")
	waitText(t, ctx, "#detail-request-body", `"body":"hello inspector"`)
	waitText(t, ctx, "#detail-jobs", "PROCESS WHATSAPP MESSAGE: completed")
	waitText(t, ctx, "#detail-deliveries", "whatsapp ok to 5511999999999")
	shot(t, ctx, "1-whatsapp-detail.png")

	// A broken save shows its problem at once, as file:line:col.
	srv.writeScript(t, "broken.bas", "ON WEBHOOK POST TO \"/broken\" DO\n  LET X = \nEND ON\n")
	want := filepath.Join(srv.scripts, "broken.bas") + ":2:11: unexpected token end of line (expected an expression)"
	waitText(t, ctx, "#problems", want)
	sameLoad(t, ctx)
	shot(t, ctx, "2-problem.png")
	if err := os.Remove(filepath.Join(srv.scripts, "broken.bas")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#problems", "The scripts are clean.")

	// A request failing at a script line shows that line in context.
	resp, err := http.Post("http://"+srv.addr+"/orders", "application/json", strings.NewReader(`{"id": 7`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST /orders with bad JSON: status %d, want 400", resp.StatusCode)
	}
	waitText(t, ctx, `#requests tbody tr[data-route="POST /orders"]`, "400")
	click(t, ctx, `#requests tbody tr[data-route="POST /orders"]`)
	waitText(t, ctx, "#detail-error", filepath.Join(srv.scripts, "orders.bas")+":3:")
	waitText(t, ctx, "#error-source .failing", "   3    LET OBJ = PARSE JSON GET REQUEST BODY")
	shot(t, ctx, "3-failing-line.png")

	// Fix the script and press Replay: a new entry, marked as a replay, with
	// the new answer.
	srv.writeScript(t, "orders.bas", ordersV2)
	waitReload(t, srv, func(_ []map[string]any, routes []map[string]any) bool {
		return hasRoute(routes, "POST /orders") && routeAt(routes, "POST /orders") == "orders.bas:2"
	})
	time.Sleep(300 * time.Millisecond) // the debounced reload has swapped in version 2
	click(t, ctx, "#replay-btn")
	waitText(t, ctx, "#detail-replay-of", "replay of #")
	waitText(t, ctx, "#detail-status", "200")
	waitText(t, ctx, "#detail-response-body", `order received: {"id": 7`)
	waitText(t, ctx, `#requests tbody tr.replay`, "replay of #")
	sameLoad(t, ctx)
	shot(t, ctx, "4-replay.png")
}

// sameLoad proves the page was never reloaded: the marker set after the
// first load is still there.
func sameLoad(t *testing.T, ctx context.Context) {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[int]("window.__sameLoad || 0"))
	if err != nil || v != 42 {
		t.Fatalf("the page was reloaded (marker %d, err %v)", v, err)
	}
}

func waitReload(t *testing.T, s *server, ok func(problems, routes []map[string]any) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var ps, rs []map[string]any
		s.adminJSON(t, "/api/problems", &ps)
		s.adminJSON(t, "/api/routes", &rs)
		if ok(ps, rs) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("scripts were not reloaded as expected; logs:\n%s", s.logs)
}

func hasRoute(routes []map[string]any, route string) bool { return routeAt(routes, route) != "" }

func routeAt(routes []map[string]any, route string) string {
	for _, r := range routes {
		if r["route"] == route {
			at, _ := r["at"].(string)
			return at
		}
	}
	return ""
}
