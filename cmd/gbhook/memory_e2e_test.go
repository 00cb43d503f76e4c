package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
)

// Scripts that, unbounded, take the process down or hold it past its deadline.
var hogScripts = map[string]string{
	"double.bas": `ON WEBHOOK POST TO "/double" DO
  S = "x" : FOR I = 1 TO 40 : S = S + S : NEXT
  PRINT LEN(S)
END ON
`,
	"print.bas": `ON WEBHOOK POST TO "/print" DO
  K$ = "x" : FOR J = 1 TO 10 : K$ = K$ + K$ : NEXT
  FOR I = 1 TO 1000000 : PRINT K$ : NEXT
END ON
`,
	"parse.bas": `ON WEBHOOK POST TO "/parse" DO
  B = GET REQUEST BODY
  FOR I = 1 TO 1000000
    J = PARSE JSON(B)
  NEXT
END ON
`,
}

// hogServer is `gbhook serve` on hogScripts with flags, and its process id.
type hogServer struct {
	addr    string
	scripts string
	pid     int
	logs    *testlog.Buffer
}

func startHogServer(t *testing.T, flags ...string) *hogServer {
	t.Helper()
	scripts := t.TempDir()
	for name, src := range hogScripts {
		if err := os.WriteFile(filepath.Join(scripts, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &hogServer{addr: freeAddr(t), scripts: scripts, logs: &testlog.Buffer{}}
	args := append([]string{"serve", "--scripts", scripts, "--data", t.TempDir(), "--addr", s.addr}, flags...)
	s.pid = launch(t, nil, s.logs, args...).Process.Pid
	(&server{addr: s.addr, logs: s.logs}).waitHealthy(t)
	return s
}

// hit is one request's outcome.
type hit struct {
	status  int
	body    string
	elapsed time.Duration
	err     error
}

// hitAll sends each request at once and waits for all the answers.
func (s *hogServer) hitAll(paths []string, body []byte) []hit {
	out := make([]hit, len(paths))
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 60 * time.Second}
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			resp, err := client.Post("http://"+s.addr+p, "application/json", bytes.NewReader(body))
			if err != nil {
				out[i] = hit{err: err, elapsed: time.Since(start)}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out[i] = hit{status: resp.StatusCode, body: string(b), elapsed: time.Since(start)}
		}()
	}
	wg.Wait()
	return out
}

// memKiB reads a VmHWM (peak) or VmRSS line of /proc/<pid>/status.
func memKiB(t *testing.T, pid int, field string) int {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// bigJSONBody is a 4 MB JSON document.
func bigJSONBody() []byte {
	const n = 4_000_000
	return []byte(`{"a":[` + strings.Repeat("1,", (n-10)/2) + `1]}`)
}

const msg503 = "service unavailable: handler exceeded its time, step or memory budget"

// Acceptance 1: runs that would reach gigabytes answer 503, alone and three
// at once; the server stays up and its peak RSS stays under 256 MiB.
func TestRunsThatHogMemoryAnswer503(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs /proc to read the server's RSS")
	}
	s := startHogServer(t)
	rounds := []struct {
		name  string
		paths []string
		body  []byte
	}{
		{"doubling alone", []string{"/double"}, nil},
		{"print alone", []string{"/print"}, nil},
		// Each run holds up to about 48 MiB at its peak (its last 32 MiB
		// string or buffer while copying the previous 16 MiB one); three
		// at once stay well under 256 MiB with the collector's slack.
		{"three at once", []string{"/double", "/print", "/double"}, nil},
	}
	for _, r := range rounds {
		for i, h := range s.hitAll(r.paths, r.body) {
			if h.err != nil || h.status != 503 || h.body != msg503 || h.elapsed > 11*time.Second {
				t.Errorf("%s: %s: got %d %q after %v (err %v), want 503 %q within 11s",
					r.name, r.paths[i], h.status, h.body, h.elapsed, h.err, msg503)
			}
		}
	}
	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after: %v %v; logs:\n%s", resp, err, s.logs)
	}
	resp.Body.Close()
	if hwm := memKiB(t, s.pid, "VmHWM"); hwm > 256<<10 {
		t.Errorf("peak RSS %d MiB, want under 256 MiB", hwm>>10)
	}
	t.Logf("peak RSS %d MiB, RSS now %d MiB", memKiB(t, s.pid, "VmHWM")>>10, memKiB(t, s.pid, "VmRSS")>>10)
	// The log reaches the test through a pipe, maybe after the answers:
	// wait for a line per run (double: 3, print: 2).
	waitLogs(t, s.logs, `status=503 err="`+filepath.Join(s.scripts, "double.bas")+`:2:37: memory budget exceeded"`, 3)
	waitLogs(t, s.logs, `status=503 err="`+filepath.Join(s.scripts, "print.bas")+`:3:26: memory budget exceeded"`, 2)
}

// 4 concurrent PARSE JSON loops on 4 MB, with memory to spare, meet the
// deadline: each call looks at it before validating, so a run ends at most
// one validation (about 0.1 s of CPU for 4 MB) past it. Acceptance asks 11 s
// for a 10 s deadline; here 2 s must answer within 4 s, room for a contended
// CPU. Before, the first look came 1,024 calls (minutes) later.
func TestParseJSONLoopsMeetDeadline(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs /proc to read the server's RSS")
	}
	s := startHogServer(t, "--handler-timeout", "2s", "--max-run-memory", "1024GiB", "--max-steps", "2000000000")
	hits := s.hitAll([]string{"/parse", "/parse", "/parse", "/parse"}, bigJSONBody())
	for i, h := range hits {
		if h.err != nil || h.status != 503 || h.body != msg503 || h.elapsed > 4*time.Second {
			t.Errorf("request %d: got %d %q after %v (err %v), want 503 within 4s", i, h.status, h.body, h.elapsed, h.err)
		}
		t.Logf("request %d answered after %v", i, h.elapsed)
	}
	line := `status=503 err="` + filepath.Join(s.scripts, "parse.bas") + `:4:9: deadline exceeded"`
	waitLogs(t, s.logs, line, 4) // the log comes through a pipe, maybe after the answers
	if n := strings.Count(s.logs.String(), line); n != 4 {
		t.Errorf("%d deadline lines logged, want 4; logs:\n%s", n, s.logs)
	}
	if hwm := memKiB(t, s.pid, "VmHWM"); hwm > 256<<10 {
		t.Errorf("peak RSS %d MiB, want under 256 MiB", hwm>>10)
	}
}
