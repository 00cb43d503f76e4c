package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

// Acceptance 2: two serve processes share one PostgreSQL; 1,000 webhooks
// spread over both run exactly once each, and both do work.
func TestTwoReplicasRunEachJobOnce(t *testing.T) {
	const n = 1000
	g := deliverytest.NewGraph(t)
	g.SetDelay(10 * time.Millisecond)
	env := graphEnv(g)
	env["GBHOOK_DATABASE_URL"] = queuetest.Database(t)
	scripts := writeScripts(t, spawnScripts)
	p1 := launch(t, scripts, t.TempDir(), env)
	p2 := launch(t, scripts, t.TempDir(), env)
	start := time.Now()
	sendAll(t, []*proc{p1, p2}, 0, n, 16)
	waitDistinct(t, g, n, 2*time.Minute, func() string { return p1.logs.String() + p2.logs.String() })
	took := time.Since(start)
	waitNoJobs(t, p1, time.Minute, "running", "retryable", "available")
	time.Sleep(time.Second)
	if got := len(g.Requests()); got != n {
		t.Errorf("Graph API got %d sends for %d jobs, want exactly %d", got, n, n)
	}
	w1 := strings.Count(p1.logs.String(), `msg="spawned SUB done"`)
	w2 := strings.Count(p2.logs.String(), `msg="spawned SUB done"`)
	if w1 == 0 || w2 == 0 || w1+w2 != n {
		t.Errorf("jobs done: %d by one replica, %d by the other; want both > 0 and %d in all", w1, w2, n)
	}
	t.Logf("%d webhooks over two replicas: all sent once in %s; %d jobs ran on one, %d on the other",
		n, took.Round(time.Millisecond), w1, w2)
}

// Acceptance 3: with PostgreSQL down a SPAWNing webhook answers 503 and an
// open route 200; once it is back the next delivery succeeds and its job
// runs, without restarting gbhook.
func TestDatabaseDown(t *testing.T) {
	pg := queuetest.NewServer(t)
	g := deliverytest.NewGraph(t)
	env := graphEnv(g)
	env["GBHOOK_DATABASE_URL"] = pg.URL
	p := launch(t, writeScripts(t, spawnScripts), t.TempDir(), env)
	expect := func(method, path string, wantStatus int, wantBody string) {
		t.Helper()
		status, body, err := send(method, p.url(path), "", "", nil)
		if err != nil || status != wantStatus || body != wantBody {
			t.Errorf("%s %s: %d %q %v, want %d %q", method, path, status, body, err, wantStatus, wantBody)
		}
	}
	expect("POST", "/spawn?n=1", 200, "ok")
	waitDistinct(t, g, 1, 30*time.Second, p.logs.String)

	pg.Stop()
	expect("POST", "/spawn?n=2", 503, "service unavailable: could not store the work; retry later")
	expect("GET", "/open", 200, "open")
	if !strings.Contains(p.logs.String(), `msg="storing the SPAWNed jobs failed; answering 503"`) {
		t.Errorf("the failed commit was not logged:\n%s", tail(p.logs.String(), 10))
	}

	pg.Start()
	expect("POST", "/spawn?n=3", 200, "ok")
	c := waitDistinct(t, g, 2, time.Minute, p.logs.String)
	if c["message 3"] != 1 || c["message 2"] != 0 {
		t.Errorf("sent %v, want messages 1 and 3 once", c)
	}
}
