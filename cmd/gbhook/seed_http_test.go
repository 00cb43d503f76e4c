package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedApp serves dirs through the real wiring (builtins, outboxes, queue) on httptest.
func seedApp(t *testing.T, dirs []string, env map[string]string) (*httptest.Server, string, *syncBuffer) {
	t.Helper()
	data, logs := t.TempDir(), &syncBuffer{}
	a, err := newApp(appConfig{Dirs: dirs, Data: data, Getenv: func(k string) string { return env[k] },
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.load(); err != nil {
		t.Fatal(err)
	}
	if err := a.queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.queue.Stop(ctx)
		a.queue.Close()
	})
	return ts, data, logs
}

func post(t *testing.T, url, contentType string, body []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// outboxFiles waits for n files in an outbox folder and returns their contents.
func outboxFiles(t *testing.T, dir string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		var out []string
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), ".") {
				continue
			}
			b, _ := os.ReadFile(f)
			out = append(out, string(b))
		}
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The seed guide's programs, unmodified, over HTTP with the fixtures and the
// guide's own curl examples.
func TestSeedProgramsOverHTTP(t *testing.T) {
	ts, data, _ := seedApp(t, []string{"../../testdata/seed", "../../testdata/seed-support"}, nil)
	form := "application/x-www-form-urlencoded"
	for _, body := range [][]byte{fixture(t, "twilio-voice-incoming.form"),
		[]byte("CallSid=CA123&From=+1234567890&To=+553322980098&CallStatus=ringing&Direction=inbound")} {
		status, ctype, got := post(t, ts.URL+"/twilio/voice", form, body)
		if status != 200 || ctype != "text/xml" || got != voiceTwiML {
			t.Errorf("voice: %d %q\n%s", status, ctype, got)
		}
	}
	status, ctype, got := post(t, ts.URL+"/twilio/gather", form, fixture(t, "twilio-gather-digits.form"))
	if status != 200 || ctype != "text/xml" || got != thankYou {
		t.Errorf("gather: %d %q\n%s", status, ctype, got)
	}
	mails := outboxFiles(t, filepath.Join(data, "outbox", "mail"), 1)
	if len(mails) != 1 || !strings.Contains(mails[0], "Your verification code is: ") ||
		!strings.Contains(mails[0], "To: <your-email@example.com>") {
		t.Fatalf("outbox mail: %q", mails)
	}
	digits := formValue(t, fixture(t, "twilio-gather-digits.form"), "Digits")
	if !strings.Contains(mails[0], "code is: "+digits) {
		t.Errorf("mail lacks the digits %q:\n%s", digits, mails[0])
	}

	status, _, got = post(t, ts.URL+"/webhooks/whatsapp", "application/json", fixture(t, "whatsapp-text.json"))
	if status != 200 || got != "OK" {
		t.Fatalf("whatsapp: %d %q", status, got)
	}
	sent := outboxFiles(t, filepath.Join(data, "outbox", "whatsapp"), 1)
	if len(sent) != 1 {
		t.Fatalf("whatsapp outbox: %q", sent)
	}
	var msg struct{ To string }
	_ = json.Unmarshal([]byte(sent[0]), &msg)
	var in struct {
		Entry []struct {
			Changes []struct {
				Value struct{ Messages []struct{ From string } }
			}
		}
	}
	_ = json.Unmarshal(fixture(t, "whatsapp-text.json"), &in)
	if from := in.Entry[0].Changes[0].Value.Messages[0].From; msg.To != from || from == "" {
		t.Errorf("reply to %q, want the sender %q", msg.To, from)
	}
}

func formValue(t *testing.T, body []byte, name string) string {
	for _, kv := range strings.Split(string(body), "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	t.Fatalf("no %s in %s", name, body)
	return ""
}

// The shipped whatsapp.bas ignores status-only deliveries: no job, no reply.
func TestShippedWhatsAppIgnoresStatuses(t *testing.T) {
	ts, data, _ := seedApp(t, []string{"../../scripts"}, map[string]string{"META_APP_SECRET": metaSecret})
	for _, f := range []string{"whatsapp-status-delivered.json", "whatsapp-status-failed.json"} {
		body := fixture(t, f)
		req, _ := http.NewRequest("POST", ts.URL+"/webhooks/whatsapp", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", metaSign(metaSecret, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "OK" {
			t.Errorf("%s: %d %q", f, resp.StatusCode, b)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if files, _ := filepath.Glob(filepath.Join(data, "outbox", "whatsapp", "*.json")); len(files) != 0 {
		t.Errorf("status deliveries produced replies: %v", files)
	}
}
