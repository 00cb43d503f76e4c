package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

type jobRow struct {
	ID          int64  `json:"id"`
	State       string `json:"state"`
	Sub         string `json:"sub"`
	Attempt     int    `json:"attempt"`
	MaxAttempts int    `json:"max_attempts"`
	SpawnedAt   string `json:"spawned_at"`
	RequestID   string `json:"request_id"`
	Error       string `json:"error"`
}

// jobsJSON runs `gbhook jobs --json` with args and decodes its lines.
func jobsJSON(t *testing.T, p *proc, args ...string) []jobRow {
	t.Helper()
	out, err := p.gbhook(t, append([]string{"jobs", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("gbhook jobs: %v\n%s", err, out)
	}
	var rows []jobRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r jobRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// waitJobs polls `gbhook jobs --state state` until it lists n jobs.
func waitJobs(t *testing.T, p *proc, state string, n int) []jobRow {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rows := jobsJSON(t, p, "--state", state)
		if len(rows) >= n {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs %s, want %d; all: %+v\nlogs:\n%s", len(rows), state, n, jobsJSON(t, p), tail(p.logs.String(), 30))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Acceptance 4: a throughput error (130429) is retried until it succeeds; an
// expired token (190) fails after one attempt, is listed with its error and
// position, and `gbhook jobs retry` runs it again.
func TestRetriesAndDeadLetters(t *testing.T) {
	t.Run("130429 twice then success", func(t *testing.T) {
		g := deliverytest.NewGraph(t,
			deliverytest.Reply{Status: 400, Body: string(fixture(t, "graph-send-error-130429.json"))},
			deliverytest.Reply{Status: 400, Body: string(fixture(t, "graph-send-error-130429.json"))},
			deliverytest.Reply{Status: 200, Body: string(fixture(t, "graph-send-success.json"))})
		scripts := writeScripts(t, spawnScripts)
		p := launchServe(t, scripts, t.TempDir(), graphEnv(g))
		if status, body, err := send("POST", p.url("/spawn?n=1"), "", "", nil); err != nil || status != 200 {
			t.Fatalf("webhook: %d %q %v", status, body, err)
		}
		rows := waitJobs(t, p, "completed", 1)
		time.Sleep(500 * time.Millisecond)
		if n := len(g.Requests()); n != 3 {
			t.Errorf("Graph API got %d requests, want 3", n)
		}
		r := rows[0]
		wantErr := filepath.Join(scripts, "spawn.bas") + ":12:3: " + graph130429
		if r.State != "completed" || r.Attempt != 3 || r.Error != wantErr {
			t.Errorf("job %+v\nwant completed at attempt 3 with the last error %q", r, wantErr)
		}
		// Jobs log their start, each retry and their finish.
		logs := p.logs.String()
		for line, n := range map[string]int{`msg="spawned SUB started"`: 3,
			`msg="spawned SUB failed; will retry"`: 2, `msg="spawned SUB done"`: 1} {
			if got := strings.Count(logs, line); got != n {
				t.Errorf("%d lines %s, want %d; logs:\n%s", got, line, n, logs)
			}
		}
	})
	t.Run("190 fails at once, retry runs it again", func(t *testing.T) {
		g := deliverytest.NewGraph(t,
			deliverytest.Reply{Status: 401, Body: string(fixture(t, "graph-send-error-190.json"))},
			deliverytest.Reply{Status: 200, Body: string(fixture(t, "graph-send-success.json"))})
		scripts := writeScripts(t, spawnScripts)
		p := launchServe(t, scripts, t.TempDir(), graphEnv(g))
		status, _, err := send("POST", p.url("/spawn?n=2"), "", "", nil)
		if err != nil || status != 200 {
			t.Fatalf("webhook: %d %v", status, err)
		}
		rows := waitJobs(t, p, "failed", 1)
		time.Sleep(1500 * time.Millisecond) // a wrong retry would come by now
		if n := len(g.Requests()); n != 1 {
			t.Errorf("Graph API got %d requests, want 1", n)
		}
		r := rows[0]
		want := jobRow{ID: r.ID, State: "cancelled", Sub: "REPLY", Attempt: 1, MaxAttempts: 8,
			SpawnedAt: filepath.Join(scripts, "spawn.bas") + ":3", RequestID: r.RequestID,
			Error: filepath.Join(scripts, "spawn.bas") + ":12:3: " + graph190}
		if r != want || r.RequestID == "" {
			t.Errorf("failed job\n%+v\nwant\n%+v", r, want)
		}
		if line := `msg="spawned SUB failed; cancelled"`; strings.Count(p.logs.String(), line) != 1 {
			t.Errorf("want one line %s; logs:\n%s", line, p.logs)
		}
		out, err := p.gbhook(t, "jobs", "retry", fmt.Sprint(r.ID))
		if err != nil || out != fmt.Sprintf("job %d retried: now available\n", r.ID) {
			t.Fatalf("retry: %v %q", err, out)
		}
		done := waitJobs(t, p, "completed", 1)
		if done[0].ID != r.ID || len(g.Requests()) != 2 {
			t.Errorf("after retry: %+v, %d Graph requests", done[0], len(g.Requests()))
		}
		table, err := p.gbhook(t, "jobs")
		if err != nil || !strings.HasPrefix(table, "ID  STATE      SUB    ATTEMPT  SPAWNED AT") {
			t.Errorf("table: %v\n%s", err, table)
		}
	})
}

// The Graph errors as SEND WHATSAPP reports them.
const (
	graph130429 = "SEND WHATSAPP: whatsapp: graph error 130429: (#130429) Rate limit hit"
	graph190    = "SEND WHATSAPP: whatsapp: graph error 190 (subcode 463): Error validating access token: " +
		"Session has expired on Friday, 29-May-26 01:00:00 PDT. The current time is Friday, 29-May-26 01:14:09 PDT."
)
