package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A log output nobody reads (a full pipe, a stuck terminal) must not hold
// a single answer: lines beyond the sink's buffer are dropped and counted,
// and a warning says how many once the output moves again.
func TestAStuckLogOutputNeverHoldsAnAnswer(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	scripts, data := t.TempDir(), t.TempDir()
	copyScripts(t, scripts)
	s := &server{addr: freeAddr(t), admin: freeAddr(t), scripts: scripts, data: data}
	s.env = []string{"GBHOOK_ADDR=" + s.addr, "GBHOOK_SCRIPTS=" + scripts, "GBHOOK_DATA=" + data,
		"GBHOOK_ADMIN_ADDR=" + s.admin}
	launch(t, s.env, w, "serve") // the pipe, never read until the end
	w.Close()
	s.waitHealthy(t)

	// Each unmatched request logs a line of about 200 bytes: 3,000 of them
	// are ten times what the pipe (64 KiB) and the sink (128 KiB) hold.
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range 3000 {
		resp, err := client.Get("http://" + s.addr + "/no/such/route/" + strconv.Itoa(i))
		if err != nil {
			t.Fatalf("request %d: %v (an answer waited for the log output)", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	dropped := scrapeCounter(t, "http://"+s.admin+"/metrics", "gbhook_log_lines_dropped_total")
	if dropped == 0 {
		t.Fatal("gbhook_log_lines_dropped_total is 0 after 3,000 lines into a stuck pipe")
	}

	// Reading the pipe lets the writer catch up and report.
	warned := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "log lines dropped") {
				warned <- sc.Text()
				break
			}
		}
		io.Copy(io.Discard, r)
	}()
	select {
	case line := <-warned:
		m := regexp.MustCompile(`lines=(\d+)`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("warning without a count: %s", line)
		}
		if n, _ := strconv.Atoi(m[1]); float64(n) > dropped {
			t.Errorf("warning counts %d lines, more than the %v dropped", n, dropped)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no 'log lines dropped' warning once the output was read")
	}
}

// scrapeCounter reads one unlabelled counter from a Prometheus endpoint.
func scrapeCounter(t *testing.T, url, name string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("%s not in %s", name, url)
	return 0
}

// serve tunes the collector (runtime/gctune) unless GOGC says otherwise.
func TestServeTunesGOGCUnlessSet(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want float64
	}{
		{"unset: small heap, 200", nil, 200},
		{"GOGC=100 wins", map[string]string{"GOGC": "100"}, 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startServe(t, c.env)
			if got := scrapeCounter(t, "http://"+s.admin+"/metrics", "go_gc_gogc_percent"); got != c.want {
				t.Errorf("go_gc_gogc_percent %v, want %v", got, c.want)
			}
		})
	}
}
