package bench

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/internal/testlog"
)

// TestNativeMatchesGbhook pins the baseline's honesty: for each shipped
// endpoint both servers answer the same status, type and body, write the same
// outbox files and log the same lines (times, ids and latencies aside). The
// WhatsApp message is then delivered again: both recognise it from their
// stores, answer empty and store no second job (one outbox file each).
func TestNativeMatchesGbhook(t *testing.T) {
	var gbLog, natLog testlog.Buffer
	w := newWorld(t, slog.New(slog.NewTextHandler(&gbLog, nil)), slog.New(slog.NewTextHandler(&natLog, nil)))
	skip := len(gbLog.String()) // "program loaded"
	eps := endpoints(t)
	again := eps[len(eps)-1]
	again.name = "message redelivered"
	for _, e := range append(eps, again) {
		t.Run(e.name, func(t *testing.T) {
			gb, nat := httptest.NewRecorder(), httptest.NewRecorder()
			w.gbhook.ServeHTTP(gb, e.request())
			w.native.Handler().ServeHTTP(nat, e.request())
			if gb.Code != http.StatusOK {
				t.Errorf("gbhook answered %d %q", gb.Code, gb.Body)
			}
			for _, h := range []string{"Content-Type", "X-Content-Type-Options"} {
				if g, n := gb.Header().Get(h), nat.Header().Get(h); g != n {
					t.Errorf("%s: gbhook %q, native %q", h, g, n)
				}
			}
			if g, n := gb.Code, nat.Code; g != n {
				t.Errorf("status: gbhook %d, native %d", g, n)
			}
			if g, n := gb.Body.String(), nat.Body.String(); g != n {
				t.Errorf("body:\ngbhook %q\nnative %q", g, n)
			}
			if gb.Header().Get("X-Request-Id") == "" || nat.Header().Get("X-Request-Id") == "" {
				t.Errorf("X-Request-Id: gbhook %q, native %q", gb.Header().Get("X-Request-Id"), nat.Header().Get("X-Request-Id"))
			}
		})
	}
	w.drain(t)
	for _, kind := range []string{"mail", "whatsapp"} {
		g, n := outboxFiles(t, w.gbData, kind), outboxFiles(t, w.natData, kind)
		if len(g) != 1 || strings.Join(g, "\n") != strings.Join(n, "\n") {
			t.Errorf("outbox/%s:\ngbhook %q\nnative %q", kind, g, n)
		}
	}
	if g, n := logLines(gbLog.String()[skip:]), logLines(natLog.String()); g != n {
		t.Errorf("log lines differ:\ngbhook:\n%s\nnative:\n%s", g, n)
	}
}

// outboxFiles are the contents of the outbox's files of kind, with the mail
// headers that differ per message (Date, Message-ID) blanked.
func outboxFiles(t *testing.T, data, kind string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(data, "outbox", kind, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, perMessage.ReplaceAllString(string(b), "$1: X"))
	}
	sort.Strings(out)
	return out
}

var (
	perMessage = regexp.MustCompile(`(?m)^(Date|Message-ID): .*$`)
	perRequest = regexp.MustCompile(`(time|request_id|latency|where|job_id|took|steps)=("[^"]*"|\S+)`)
)

// logLines normalises and sorts log lines (jobs log in their own time).
func logLines(s string) string {
	lines := strings.Split(strings.TrimSpace(perRequest.ReplaceAllString(s, "$1=X")), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestScriptsAreTheShippedOnes keeps bench/scripts a copy of scripts/: the
// baseline is measured against what ships. When this fails, copy the scripts
// (cp scripts/*.bas bench/scripts/) and bring bench/native up to date;
// TestNativeMatchesGbhook then says whether it is.
func TestScriptsAreTheShippedOnes(t *testing.T) {
	shipped, err := filepath.Glob("../scripts/*.bas")
	if err != nil || len(shipped) == 0 {
		t.Fatalf("no shipped scripts: %v", err)
	}
	copies, err := filepath.Glob("scripts/*.bas")
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != len(shipped) {
		t.Errorf("bench/scripts has %d scripts, scripts/ has %d", len(copies), len(shipped))
	}
	for _, path := range shipped {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("scripts", filepath.Base(path)))
		if err != nil || string(got) != string(want) {
			t.Errorf("bench/scripts/%s differs from scripts/%s (err %v)", filepath.Base(path), filepath.Base(path), err)
		}
	}
}
