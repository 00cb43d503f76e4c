package delivery

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func outboxes(t *testing.T, env map[string]string) (dir string, m Mailer, w WhatsApp) {
	t.Helper()
	dir = t.TempDir()
	m, w, _, err := FromEnv(Config{Getenv: envFunc(env), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m, w
}

func TestOutboxMailer(t *testing.T) {
	tests := []struct {
		name     string
		mailFrom string
		mail     Mail
		wantErr  string
	}{
		{name: "default sender", mail: Mail{To: "alice@example.com", Subject: "Hello", Body: "Line one\nLine two\n"}},
		{name: "MAIL_FROM and display names", mailFrom: "Corner Shop <shop@example.com>",
			mail: Mail{To: "Alice <alice@example.com>, bob@example.com", Subject: "Öffnungszeiten",
				Body: "Grüße, Zoë — see you at 09:00.\n" + strings.Repeat("long line ", 30) + "\n"}},
		{name: "empty subject and body", mail: Mail{To: "alice@example.com"}},
		{name: "CR in subject", mail: Mail{To: "alice@example.com", Subject: "a\rBcc: x@y.z"}, wantErr: "line break"},
		{name: "invalid address", mail: Mail{To: "alice@", Subject: "s"}, wantErr: `"alice@"`},
		{name: "empty To", mail: Mail{To: " ", Subject: "s"}, wantErr: "To is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, mailer, _ := outboxes(t, map[string]string{"MAIL_FROM": tc.mailFrom})
			where, err := mailer.SendMail(context.Background(), tc.mail)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
				}
				if files, _ := os.ReadDir(filepath.Join(dir, "outbox", "mail")); len(files) != 0 {
					t.Errorf("outbox has %d files after a rejected message", len(files))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(where, "outbox/mail/") || !strings.HasSuffix(where, ".eml") {
				t.Errorf("where = %q", where)
			}
			raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(where)))
			if err != nil {
				t.Fatal(err)
			}
			from := tc.mailFrom
			if from == "" {
				from = "gbhook@localhost"
			}
			checkEML(t, raw, from, tc.mail)
		})
	}
}

func TestOutboxWhatsApp(t *testing.T) {
	tests := []struct {
		name, to, text, want string
	}{
		{name: "fixture message", to: "447700900123", text: "We are open Saturday 09:00-13:00.",
			want: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"447700900123",` +
				`"type":"text","text":{"preview_url":false,"body":"We are open Saturday 09:00-13:00."}}`},
		{name: "markup, quotes, newline and emoji", to: "+15550192834", text: "<b>Tom & \"Jerry\"</b>\nok 👍",
			want: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"+15550192834",` +
				`"type":"text","text":{"preview_url":false,"body":"<b>Tom & \"Jerry\"</b>\nok 👍"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, _, wa := outboxes(t, nil)
			where, err := wa.SendText(context.Background(), tc.to, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(where, "outbox/whatsapp/") || !strings.HasSuffix(where, ".json") {
				t.Errorf("where = %q", where)
			}
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(where)))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("outbox file =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestOutboxMatchesFixture: the outbox stores the Graph request body the fixture shows.
func TestOutboxMatchesFixture(t *testing.T) {
	var fixture, got any
	json.Unmarshal(readFixture(t, "graph-send-text-request.json"), &fixture)
	body, err := textRequestBody("447700900123", "We are open Saturday 09:00-13:00.")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &got); err != nil || !reflect.DeepEqual(got, fixture) {
		t.Errorf("request body %s differs from the fixture (%v)", body, err)
	}
}

// TestWhatsAppTextLimits runs the same validation through the outbox and the Graph client; neither may write or post
// a rejected message.
func TestWhatsAppTextLimits(t *testing.T) {
	gs := &graphServer{}
	srv := httptest.NewServer(gs)
	defer srv.Close()
	dir, _, outbox := outboxes(t, nil)
	graph := graphClient(t, srv.URL+"/v25.0", DefaultTimeout)
	tests := []struct {
		name, to, text, wantErr string
	}{
		{name: "4096 two-byte characters", to: "447700900123", text: strings.Repeat("é", 4096)},
		{name: "4097 characters", to: "447700900123", text: strings.Repeat("é", 4097), wantErr: "4097 characters"},
		{name: "empty text", to: "447700900123", text: "", wantErr: "text is empty"},
		{name: "empty recipient", to: "  ", text: "hi", wantErr: "recipient is empty"},
	}
	for _, tc := range tests {
		for kind, wa := range map[string]WhatsApp{"outbox": outbox, "graph": graph} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				if tc.wantErr == "" {
					gs.queue(graphAnswer{200, readFixture(t, "graph-send-success.json")})
				}
				_, err := wa.SendText(context.Background(), tc.to, tc.text)
				if (tc.wantErr == "" && err != nil) || (tc.wantErr != "" &&
					(err == nil || !strings.Contains(err.Error(), tc.wantErr))) {
					t.Errorf("error = %v, want %q", err, tc.wantErr)
				}
			})
		}
	}
	files, _ := os.ReadDir(filepath.Join(dir, "outbox", "whatsapp"))
	if n := len(gs.requests()); len(files) != 1 || n != 1 {
		t.Errorf("outbox has %d files and the server saw %d requests, want 1 each", len(files), n)
	}
}

// TestOutboxConcurrent: many goroutines writing at once get distinct names, complete files and no leftovers.
func TestOutboxConcurrent(t *testing.T) {
	const n = 40
	dir, mailer, wa := outboxes(t, nil)
	var wg sync.WaitGroup
	wheres := make([]string, 2*n)
	errs := make([]error, 2*n)
	for i := range n {
		wg.Go(func() {
			wheres[i], errs[i] = mailer.SendMail(context.Background(), Mail{To: "a@example.com", Subject: "s", Body: "b"})
		})
		wg.Go(func() { wheres[n+i], errs[n+i] = wa.SendText(context.Background(), "447700900123", "hi") })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, w := range wheres {
		if errs[i] != nil || seen[w] {
			t.Fatalf("send %d: where %q, err %v (duplicate: %v)", i, w, errs[i], seen[w])
		}
		seen[w] = true
	}
	for _, kind := range []string{"mail", "whatsapp"} {
		files, err := os.ReadDir(filepath.Join(dir, "outbox", kind))
		if err != nil || len(files) != n {
			t.Errorf("outbox/%s has %d entries (%v), want %d", kind, len(files), err, n)
		}
		for _, f := range files {
			if strings.HasPrefix(f.Name(), ".") {
				t.Errorf("temp file left behind: %s", f.Name())
			}
		}
	}
}
