package nativeserver

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/signature"
)

const testSecret = "test-meta-secret"

func testEnv(k string) string {
	if k == "META_APP_SECRET" {
		return testSecret
	}
	return ""
}

// payload is a Meta delivery of one text message with id.
func payload(id, text string) string {
	return `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[` +
		`{"from":"447700900123","id":"` + id + `","type":"text","text":{"body":"` + text + `"}}]}}]}]}`
}

const statusPayload = `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[` +
	`{"id":"wamid.S1","status":"delivered"}]}}]}]}`

// post sends a signed delivery and gives the status and body.
func post(t *testing.T, s *Server, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/whatsapp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Hub-Signature-256", signature.MetaSign(testSecret, []byte(body)))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

// open makes a server on dir writing to dir's outbox, or to wa when set.
func open(t *testing.T, dir string, log *slog.Logger, wa delivery.WhatsApp) *Server {
	t.Helper()
	mailer, out, llm, err := delivery.FromEnv(delivery.Config{Getenv: func(string) string { return "" }, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if wa == nil {
		wa = out
	}
	s, err := New(Config{Getenv: testEnv, Logger: log, Mailer: mailer, WhatsApp: wa, LLM: llm, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func shutdown(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// waitDone waits until no stored job is left to run.
func waitDone(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		n, err := s.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func outboxFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "outbox", "whatsapp", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

var perRun = regexp.MustCompile(`(time|request_id|job_id|took|where|latency)=("[^"]*"|\S+)`)

func logLines(s string) []string {
	return strings.Split(strings.TrimSpace(perRun.ReplaceAllString(s, "$1=X")), "\n")
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

// TestJobsSurviveRestart: a job committed by a server whose workers never
// ran is run by the next server on the same directory, once, and the
// redeliveries of its message, before and after the restart, store nothing.
func TestJobsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	var first, second testlog.Buffer
	a := open(t, dir, slog.New(slog.NewTextHandler(&first, nil)), nil) // not started: no worker runs
	for i, want := range []string{"OK", ""} {
		if code, body := post(t, a, payload("wamid.R1", "hello")); code != http.StatusOK || body != want {
			t.Fatalf("delivery %d: %d %q, want 200 %q", i+1, code, body, want)
		}
	}
	if n, err := a.Pending(context.Background()); n != 1 || err != nil {
		t.Fatalf("pending before the restart: %d %v, want 1", n, err)
	}
	shutdown(t, a)
	equal(t, "outbox before the restart", outboxFiles(t, dir), nil)

	b := open(t, dir, slog.New(slog.NewTextHandler(&second, nil)), nil)
	if code, body := post(t, b, payload("wamid.R1", "hello")); code != http.StatusOK || body != "" {
		t.Fatalf("redelivery after the restart: %d %q, want 200 \"\"", code, body)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, b)
	shutdown(t, b)
	equal(t, "outbox after the restart", outboxFiles(t, dir), []string{
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"447700900123","type":"text","text":{"preview_url":false,"body":"Thanks for your message! You said: hello"}}`,
	})
	dup := `time=X level=INFO msg="duplicate delivery: every event was handled before; not run" request_id=X ` +
		`route="POST /webhooks/whatsapp FROM WHATSAPP whatsapp.bas:6" events=1`
	equal(t, "first server's log", logLines(first.String()), []string{
		`time=X level=INFO msg="WhatsApp message from 447700900123: hello" request_id=X at=whatsapp.bas:19`,
		`time=X level=INFO msg=request request_id=X method=POST path=/webhooks/whatsapp route="POST /webhooks/whatsapp" status=200 steps=0 bytes_out=2 latency=X`,
		dup,
		`time=X level=INFO msg=request request_id=X method=POST path=/webhooks/whatsapp route="POST /webhooks/whatsapp" status=200 steps=0 bytes_out=0 latency=X`,
	})
	equal(t, "second server's log", logLines(second.String()), []string{
		dup,
		`time=X level=INFO msg=request request_id=X method=POST path=/webhooks/whatsapp route="POST /webhooks/whatsapp" status=200 steps=0 bytes_out=0 latency=X`,
		`time=X level=INFO msg="spawned SUB started" request_id=X job_id=X sub="PROCESS WHATSAPP MESSAGE" attempt=1 max_attempts=8`,
		`time=X level=INFO msg="whatsapp sent" request_id=X to=447700900123 where=X at=whatsapp.bas:46`,
		`time=X level=INFO msg="spawned SUB done" request_id=X job_id=X sub="PROCESS WHATSAPP MESSAGE" attempt=1 spawned=0 took=X`,
	})
}

// blockingWhatsApp holds each send until release is closed.
type blockingWhatsApp struct {
	started chan struct{}
	release chan struct{}
	mu      sync.Mutex
	sent    []string
}

func (b *blockingWhatsApp) SendText(_ context.Context, to, text string) (string, error) {
	b.started <- struct{}{}
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, to+": "+text)
	return "memory", nil
}

// TestShutdownLetsRunningJobsFinish: Shutdown waits for the job in flight,
// which completes and does not run again after a restart.
func TestShutdownLetsRunningJobsFinish(t *testing.T) {
	dir := t.TempDir()
	wa := &blockingWhatsApp{started: make(chan struct{}, 1), release: make(chan struct{})}
	s := open(t, dir, slog.New(slog.DiscardHandler), wa)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if code, body := post(t, s, payload("wamid.D1", "drain me")); code != http.StatusOK || body != "OK" {
		t.Fatalf("delivery: %d %q", code, body)
	}
	<-wa.started
	done := make(chan struct{})
	go func() { shutdown(t, s); close(done) }()
	select {
	case <-done:
		t.Fatal("Shutdown returned while a job was running")
	case <-time.After(200 * time.Millisecond):
	}
	close(wa.release)
	<-done
	equal(t, "sent", wa.sent, []string{"447700900123: Thanks for your message! You said: drain me"})

	again := open(t, dir, slog.New(slog.DiscardHandler), wa)
	defer shutdown(t, again)
	if n, err := again.Pending(context.Background()); n != 0 || err != nil {
		t.Fatalf("pending after the restart: %d %v, want 0", n, err)
	}
}

// TestMessageAnswers: what POST /webhooks/whatsapp answers for each kind of
// delivery, and that a failing store answers 503 as gbhook does.
func TestMessageAnswers(t *testing.T) {
	s := open(t, t.TempDir(), slog.New(slog.DiscardHandler), nil)
	defer shutdown(t, s)
	exec := func(q string) func(t *testing.T) {
		return func(t *testing.T) {
			if _, err := s.jobs.db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	const unavailable = "service unavailable: could not store the work; retry later"
	tests := []struct {
		name, body string
		breakIt    func(t *testing.T)
		status     int
		answer     string
		pending    int
	}{
		{"text message", payload("wamid.M1", "hi"), nil, 200, "OK", 1},
		{"same message again", payload("wamid.M1", "hi"), nil, 200, "", 1},
		{"another message", payload("wamid.M2", "hi again"), nil, 200, "OK", 2},
		{"status only", statusPayload, nil, 200, "OK", 2},
		{"same status again", statusPayload, nil, 200, "", 2},
		{"not JSON", `{"entry":[`, nil, 400, "bad request", 2},
		{"commit failing", payload("wamid.M3", "lost?"), exec("DROP TABLE river_job"), 503, unavailable, -1},
		{"lookup failing", payload("wamid.M4", "lost?"), exec("DROP TABLE whatsapp_events"), 503, unavailable, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.breakIt != nil {
				tt.breakIt(t)
			}
			if code, body := post(t, s, tt.body); code != tt.status || body != tt.answer {
				t.Fatalf("got %d %q, want %d %q", code, body, tt.status, tt.answer)
			}
			if tt.pending < 0 {
				return
			}
			if n, err := s.Pending(context.Background()); n != tt.pending || err != nil {
				t.Fatalf("pending %d %v, want %d", n, err, tt.pending)
			}
		})
	}
}

// TestEnqueueConcurrentCopy: when a copy of the delivery committed between
// the lookup and the commit, the commit stores nothing and says duplicate.
func TestEnqueueConcurrentCopy(t *testing.T) {
	s := open(t, t.TempDir(), slog.New(slog.DiscardHandler), nil)
	defer shutdown(t, s)
	events, jobs := []string{"wa:msg:C1"}, []Job{{RequestID: "r", From: "1", Body: "hi", ID: "C1"}}
	for i, want := range []bool{false, true} {
		dup, err := s.jobs.enqueue(context.Background(), events, jobs)
		if dup != want || err != nil {
			t.Fatalf("commit %d: duplicate %v, err %v; want %v", i+1, dup, err, want)
		}
	}
	if n, err := s.Pending(context.Background()); n != 1 || err != nil {
		t.Fatalf("pending %d %v, want 1", n, err)
	}
}

// TestPruneForgetsExpiredEvents: the hourly prune job deletes the events
// past their time and keeps the others; an expired event is no redelivery.
func TestPruneForgetsExpiredEvents(t *testing.T) {
	s := open(t, t.TempDir(), slog.New(slog.DiscardHandler), nil)
	defer shutdown(t, s)
	now := time.Now().Unix()
	if _, err := s.jobs.db.Exec("INSERT INTO whatsapp_events (event, expires_at) VALUES (?, ?), (?, ?)",
		"wa:msg:old", now-1, "wa:msg:new", now+3600); err != nil {
		t.Fatal(err)
	}
	if seen, err := s.jobs.seen(context.Background(), []string{"wa:msg:old"}); seen || err != nil {
		t.Fatalf("expired event seen: %v %v", seen, err)
	}
	if err := (&pruneWorker{db: s.jobs.db}).Work(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, err := s.jobs.db.Query("SELECT event FROM whatsapp_events ORDER BY event")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev string
		if err := rows.Scan(&ev); err != nil {
			t.Fatal(err)
		}
		left = append(left, ev)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	equal(t, "events left", left, []string{"wa:msg:new"})
}
