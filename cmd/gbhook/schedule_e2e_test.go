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

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

const tickScript = `ON SCHEDULE "@every 1s" DO
  SEND WHATSAPP TO "447700900123" WITH "tick " + NOW()
END ON
`

// ranTicks counts the "schedule ran" log lines by request id (the schedule
// and its tick) over all the logs given.
func ranTicks(logs ...string) map[string]int {
	re := regexp.MustCompile(`msg="schedule ran" request_id=(\S+)`)
	ran := map[string]int{}
	for _, l := range logs {
		for _, m := range re.FindAllStringSubmatch(l, -1) {
			ran[m[1]]++
		}
	}
	return ran
}

// sendsOver waits for the first send, then counts the sends over window.
func sendsOver(t *testing.T, g *deliverytest.Graph, window time.Duration, logs func() string) int {
	t.Helper()
	if got := g.WaitFor(1, 30*time.Second); len(got) == 0 {
		t.Fatalf("no send in 30s; logs:\n%s", tail(logs(), 40))
	}
	before := len(g.Requests())
	time.Sleep(window)
	return len(g.Requests()) - before
}

// waitLog waits until the logs contain s.
func waitLog(t *testing.T, logs func() string, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in the logs after 20s:\n%s", s, tail(logs(), 40))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// saveAtomically replaces file as editors do: a temp file renamed over it.
func saveAtomically(t *testing.T, file, src string) {
	t.Helper()
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
}

// An "@every 1h" schedule edited to "@every 1s" takes effect on reload,
// without a restart, and then sends about once a second (River's periodic
// jobs on the embedded SQLite queue); once the schedule is removed, it
// stops.
func TestScheduleFollowsReloadAndSendsEverySecond(t *testing.T) {
	g := deliverytest.NewGraph(t)
	hourly := strings.Replace(tickScript, "@every 1s", "@every 1h", 1)
	scripts := writeScripts(t, map[string]string{"tick.bas": hourly})
	file := filepath.Join(scripts, "tick.bas")
	p := launchServe(t, scripts, t.TempDir(), graphEnv(g))
	time.Sleep(4 * time.Second) // River elects its leader and starts the periodic jobs in ~3 s
	if n := len(g.Requests()); n != 0 {
		t.Fatalf("@every 1h sent %d times at start", n)
	}

	saveAtomically(t, file, tickScript)
	waitLog(t, p.logs.String, `msg="schedule started" schedule="SCHEDULE \"@every 1s\" tick.bas:1"`)
	const window = 10 * time.Second
	n := sendsOver(t, g, window, p.logs.String)
	if n < 5 || n > 13 {
		t.Errorf("%d sends in %v of @every 1s, want about 10; logs:\n%s", n, window, tail(p.logs.String(), 40))
	}
	var body struct{ Text struct{ Body string } }
	if err := json.Unmarshal(g.Requests()[0].Body, &body); err != nil || !regexp.MustCompile(`^tick \d{4}-\d\d-\d\dT`).MatchString(body.Text.Body) {
		t.Errorf("sent %s", g.Requests()[0].Body)
	}

	saveAtomically(t, file, "ON WEBHOOK GET TO \"/x\" DO\n  PRINT 1\nEND ON\n")
	waitLog(t, p.logs.String, `msg="schedule stopped" schedule="SCHEDULE \"@every 1s\" tick.bas:1"`)
	time.Sleep(1500 * time.Millisecond) // a tick under way may still send
	before := len(g.Requests())
	time.Sleep(4 * time.Second)
	if after := len(g.Requests()); after != before {
		t.Errorf("after the schedule was removed, %d more sends; logs:\n%s", after-before, tail(p.logs.String(), 20))
	}
	for id, k := range ranTicks(p.logs.String()) {
		if k > 1 {
			t.Errorf("tick %s ran %d times", id, k)
		}
	}
	t.Logf("SQLite: %d sends in %v of @every 1s", n, window)
}

// Two serve processes on one PostgreSQL send once per tick between them:
// no tick runs twice, and together they send about once a second.
func TestTwoReplicasRunEachTickOnce(t *testing.T) {
	g := deliverytest.NewGraph(t)
	env := graphEnv(g)
	env["GBHOOK_DATABASE_URL"] = queuetest.Database(t)
	scripts := writeScripts(t, map[string]string{"tick.bas": tickScript})
	p1 := launchServe(t, scripts, t.TempDir(), env)
	p2 := launchServe(t, scripts, t.TempDir(), env)
	logs := func() string { return p1.logs.String() + p2.logs.String() }
	const window = 12 * time.Second
	n := sendsOver(t, g, window, logs)
	p1.stop(10 * time.Second)
	p2.stop(10 * time.Second)
	ran := ranTicks(p1.logs.String(), p2.logs.String())
	twice := 0
	for id, k := range ran {
		if k > 1 {
			twice++
			t.Errorf("tick %s ran %d times", id, k)
		}
	}
	if n < 6 || n > 16 {
		t.Errorf("%d sends in %v of @every 1s over two replicas, want about 12", n, window)
	}
	if sends := len(g.Requests()); sends != len(ran) {
		t.Errorf("%d sends for %d ticks run", sends, len(ran))
	}
	texts := sentCounts(t, g)
	t.Logf("two replicas: %d sends in %v; %d ticks run in all (%d by one replica, %d by the other), %d twice; "+
		"%d sends share their NOW() second with another",
		n, window, len(ran), len(ranTicks(p1.logs.String())), len(ranTicks(p2.logs.String())), twice,
		len(g.Requests())-len(texts))
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
