package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

// spawnScripts: each POST /spawn?n=N SPAWNs a SUB that sends "message N".
var spawnScripts = map[string]string{"spawn.bas": `ON WEBHOOK POST TO "/spawn" DO
  LET N$ = GET QUERY VALUE "n"
  SPAWN REPLY N$
  PRINT "ok"
END ON

ON WEBHOOK GET TO "/open" DO
  PRINT "open"
END ON

SUB REPLY(N$)
  SEND WHATSAPP TO "447700900123" WITH "message " + N$
END SUB
`}

func graphEnv(g *deliverytest.Graph) map[string]string {
	return map[string]string{"WHATSAPP_TOKEN": waToken, "WHATSAPP_PHONE_NUMBER_ID": "113469798404167",
		"WHATSAPP_API_URL": g.URL}
}

// sentCounts counts the Graph requests per message text.
func sentCounts(t *testing.T, g *deliverytest.Graph) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, r := range g.Requests() {
		var b struct {
			Text struct {
				Body string `json:"body"`
			} `json:"text"`
		}
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatalf("Graph request body %q: %v", r.Body, err)
		}
		counts[b.Text.Body]++
	}
	return counts
}

// waitDistinct waits until n distinct messages reached g.
func waitDistinct(t *testing.T, g *deliverytest.Graph, n int, timeout time.Duration, logs func() string) map[string]int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c := sentCounts(t, g)
		if len(c) >= n {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages reached the Graph API after %s; logs:\n%s", len(c), n, timeout, tail(logs(), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func duplicates(c map[string]int) int {
	d := 0
	for _, n := range c {
		if n > 1 {
			d++
		}
	}
	return d
}

// crashTest: 500 webhooks SPAWN a send to a Graph API answering in 100 ms;
// serve is killed with SIGKILL right after the last 200; after a restart
// every message arrives at least once.
func crashTest(t *testing.T, env map[string]string) {
	const n = 500
	g := deliverytest.NewGraph(t)
	g.SetDelay(100 * time.Millisecond)
	for k, v := range graphEnv(g) {
		env[k] = v
	}
	scripts, data := writeScripts(t, spawnScripts), t.TempDir()
	p := launch(t, scripts, data, env, "--job-timeout=5s")
	start := time.Now()
	sendAll(t, []*proc{p}, 0, n, 16)
	p.kill9()
	before := len(sentCounts(t, g))
	t.Logf("%d webhooks answered 200 in %s; %d messages sent before kill -9", n, time.Since(start).Round(time.Millisecond), before)
	if before >= n {
		t.Fatalf("every message was sent before the kill: the test proves nothing")
	}
	restart := time.Now()
	p2 := launch(t, scripts, data, env, "--job-timeout=5s")
	waitDistinct(t, g, n, 3*time.Minute, p2.logs.String)
	arrived := time.Since(restart)
	// Jobs that were running at the kill are rescued after --job-timeout
	// plus 15 s and run again: wait for them too, to count the repeats.
	waitNoJobs(t, p2, 2*time.Minute, "running", "retryable", "available")
	c := sentCounts(t, g)
	if out, err := p2.gbhook(t, "jobs", "--limit", "1000", "--json"); err == nil {
		states, again := map[string]int{}, 0
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r struct {
				State   string `json:"state"`
				Attempt int    `json:"attempt"`
			}
			_ = json.Unmarshal([]byte(line), &r)
			states[r.State]++
			if r.Attempt > 1 {
				again++
			}
		}
		t.Logf("jobs by state %v; %d ran more than once", states, again)
	}
	for i := 0; i < n; i++ {
		if c["message "+strconv.Itoa(i)] == 0 {
			t.Errorf("message %d never arrived", i)
		}
	}
	t.Logf("after restart all %d messages arrived within %s, the interrupted jobs were rescued within %s; %d arrived twice (at-least-once)",
		n, arrived.Round(time.Millisecond), time.Since(restart).Round(time.Millisecond), duplicates(c))
}

// waitNoJobs waits until `gbhook jobs --state S` lists nothing for every
// one of states, in one pass (a job moves between them).
func waitNoJobs(t *testing.T, p *proc, timeout time.Duration, states ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := ""
		for _, state := range states {
			out, err := p.gbhook(t, "jobs", "--state", state, "--json")
			if err != nil {
				t.Fatalf("gbhook jobs: %v\n%s", err, out)
			}
			left += out
		}
		if left == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still %v after %s:\n%s", states, timeout, left)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestCrashLosesNothingSQLite(t *testing.T) {
	crashTest(t, map[string]string{})
}

func TestCrashLosesNothingPostgres(t *testing.T) {
	crashTest(t, map[string]string{"GBHOOK_DATABASE_URL": queuetest.Database(t)})
}

// On SIGTERM serve finishes the running jobs, stops taking new ones and
// leaves them in the database; the next start runs them, each once.
func TestShutdownFinishesRunningJobsAndKeepsTheRest(t *testing.T) {
	g := deliverytest.NewGraph(t)
	g.SetDelay(1500 * time.Millisecond)
	env := graphEnv(g)
	scripts, data := writeScripts(t, spawnScripts), t.TempDir()
	args := []string{"--workers=2", "--shutdown-timeout=20s"}
	p := launch(t, scripts, data, env, args...)
	sendAll(t, []*proc{p}, 0, 6, 6)
	g.WaitFor(2, 10*time.Second)
	start := time.Now()
	p.stop(30 * time.Second)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(p.logs.String(), `msg=stopped`) {
		t.Fatalf("exit code %d; logs:\n%s", code, tail(p.logs.String(), 20))
	}
	if n := len(g.Requests()); n != 2 {
		t.Errorf("%d sends by the first process, want the 2 running at SIGTERM: %v\n%s", n, sentCounts(t, g), p.logs)
	}
	t.Logf("stopped in %s with 2 jobs running", time.Since(start).Round(time.Millisecond))
	p2 := launch(t, scripts, data, env, args...)
	waitDistinct(t, g, 6, time.Minute, p2.logs.String)
	waitNoJobs(t, p2, time.Minute, "running", "retryable", "available")
	if c := sentCounts(t, g); len(g.Requests()) != 6 {
		t.Errorf("sends %v, want each of 6 once", c)
	}
}
