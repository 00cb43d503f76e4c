package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

const tickScript = `ON SCHEDULE "@every 1s" DO
  SEND WHATSAPP TO "447700900123" WITH "tick"
END ON
`

// scheduleServer serves a scripts directory holding only script as tick.bas,
// with WhatsApp sent to a Graph stand-in.
func scheduleServer(t *testing.T, script string) (*server, *deliverytest.Graph, string) {
	t.Helper()
	g := deliverytest.NewGraph(t)
	scripts, data := t.TempDir(), t.TempDir()
	file := filepath.Join(scripts, "tick.bas")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &server{addr: freeAddr(t), logs: &testlog.Buffer{}, data: data}
	s.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GBHOOK_ADMIN_ADDR=off", "GBHOOK_LOG_FORMAT=text",
		"GBHOOK_ADDR=" + s.addr, "GBHOOK_SCRIPTS=" + scripts, "GBHOOK_DATA=" + data,
		"WHATSAPP_TOKEN=tok", "WHATSAPP_PHONE_NUMBER_ID=113469798404167", "WHATSAPP_API_URL=" + g.URL}
	cmd := exec.Command(binary, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	s.waitHealthy(t)
	return s, g, file
}

// An @every 1s schedule sends about once a second; editing its expression
// takes effect on reload, without a restart.
func TestScheduleSendsEverySecondAndFollowsReload(t *testing.T) {
	s, g, file := scheduleServer(t, tickScript)
	start := time.Now()
	got := g.WaitFor(3, 15*time.Second)
	if len(got) < 3 {
		t.Fatalf("%d sends in 15s; logs:\n%s", len(got), s.logs)
	}
	if d := time.Since(start); d < 1800*time.Millisecond { // @every rounds to whole seconds: the first tick may come early
		t.Errorf("3 sends of @every 1s within %v", d)
	}
	var body struct{ Text struct{ Body string } }
	if err := json.Unmarshal(got[0].Body, &body); err != nil || body.Text.Body != "tick" {
		t.Errorf("sent %s", got[0].Body)
	}

	// Atomic save, as editors do.
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Replace(tickScript, "@every 1s", "@every 1h", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.logs.String(), `schedule started schedule="SCHEDULE \"@every 1h\"`) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // a tick under way may still send
	before := len(g.Requests())
	time.Sleep(3 * time.Second)
	if after := len(g.Requests()); after != before {
		t.Errorf("after the edit to @every 1h, %d more sends; logs:\n%s", after-before, s.logs)
	}
}

func TestRoutesAndRunSchedule(t *testing.T) {
	g := deliverytest.NewGraph(t)
	scripts := t.TempDir()
	src := "ON WEBHOOK GET TO \"/x\" DO\n  PRINT 1\nEND ON\n\n" + tickScript
	if err := os.WriteFile(filepath.Join(scripts, "tick.bas"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "routes", scripts).CombinedOutput()
	re := regexp.MustCompile(`^GET /x tick.bas:1\nSCHEDULE "@every 1s" tick.bas:5 next \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$`)
	if err != nil || !re.Match(out) {
		t.Errorf("routes: %v\n%s", err, out)
	}
	cmd := exec.Command(binary, "run-schedule", "--scripts", scripts, "--data", t.TempDir(), "tick.bas:5")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "WHATSAPP_TOKEN=tok", "WHATSAPP_PHONE_NUMBER_ID=1", "WHATSAPP_API_URL=" + g.URL}
	out, err = cmd.Output()
	if err != nil || string(out) != "ran SCHEDULE \"@every 1s\" tick.bas:5\n" || len(g.Requests()) != 1 {
		t.Errorf("run-schedule: %v %q, %d sends", err, out, len(g.Requests()))
	}
	cmd = exec.Command(binary, "run-schedule", "--scripts", scripts, "--data", t.TempDir(), "tick.bas:1")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err = cmd.CombinedOutput()
	if err == nil || string(out) != "gbhook: no ON SCHEDULE at tick.bas:1 (gbhook routes lists them)\n" {
		t.Errorf("run-schedule of a handler line: %v %q", err, out)
	}
}

func TestCheckReportsBadCronAtItsLine(t *testing.T) {
	dir := t.TempDir()
	src := "REM nightly\nON SCHEDULE \"0 25 * * *\" DO\n  LOG 1\nEND ON\n"
	if err := os.WriteFile(filepath.Join(dir, "n.bas"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "check", dir).CombinedOutput()
	want := filepath.Join(dir, "n.bas") + `:2:13: bad schedule "0 25 * * *": end of range (25) above maximum (23): 25` + "\n1 problem(s)\n"
	if err == nil || string(out) != want {
		t.Errorf("check: %v\n%s\nwant\n%s", err, out, want)
	}
}
