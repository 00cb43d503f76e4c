package delivery

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func mustAddress(t *testing.T, s string) string {
	t.Helper()
	a, err := netmail.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a.Address
}

var messageIDRE = regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`)

// checkEML parses raw as an RFC 5322 message and checks every header and the body against what was sent.
func checkEML(t *testing.T, raw []byte, wantFrom string, m Mail) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v\n%s", err, raw)
	}
	h := msg.Header
	from, err := h.AddressList("From")
	if want, _ := netmail.ParseAddress(wantFrom); err != nil || len(from) != 1 || *from[0] != *want {
		t.Errorf("From = %v (%v), want %v", from, err, want)
	}
	to, err := h.AddressList("To")
	if want, _ := netmail.ParseAddressList(m.To); err != nil || !reflect.DeepEqual(to, want) {
		t.Errorf("To = %v (%v), want %v", to, err, want)
	}
	if subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || subj != m.Subject {
		t.Errorf("Subject = %q (%v), want %q", subj, err, m.Subject)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute || time.Until(d) > time.Minute {
		t.Errorf("Date = %v (%v), want about now", d, err)
	}
	if id := h.Get("Message-Id"); !messageIDRE.MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if ct, params, err := mime.ParseMediaType(h.Get("Content-Type")); err != nil || ct != "text/plain" ||
		!strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type = %q, want text/plain; charset=UTF-8", h.Get("Content-Type"))
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	// SMTP and RFC 5322 use CRLF line ends where the script wrote LF, and go-mail ends the last line.
	want := m.Body
	if want != "" && !strings.HasSuffix(want, "\n") {
		want += "\n"
	}
	if s := strings.ReplaceAll(string(got), "\r\n", "\n"); s != want {
		t.Errorf("body = %q, want %q", s, want)
	}
}

func TestFromEnvChoosesImplementations(t *testing.T) {
	tests := []struct {
		name                      string
		env                       map[string]string
		wantMail, wantWA, wantLLM string // type names
	}{
		{name: "nothing configured", env: map[string]string{},
			wantMail: "*delivery.outboxMailer", wantWA: "*delivery.outboxWhatsApp", wantLLM: "delivery.unconfiguredLLM"},
		{name: "everything configured", env: map[string]string{"SMTP_HOST": "mail.example.com",
			"WHATSAPP_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "113469798404167",
			"GBHOOK_LLM_URL": "http://127.0.0.1:11434/v1", "GBHOOK_LLM_MODEL": "llama3.2"},
			wantMail: "*delivery.smtpMailer", wantWA: "*delivery.graphWhatsApp", wantLLM: "*delivery.httpLLM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, w, l, err := FromEnv(Config{Getenv: envFunc(tc.env), DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{typeName(m), typeName(w), typeName(l)}
			if want := []string{tc.wantMail, tc.wantWA, tc.wantLLM}; !reflect.DeepEqual(got, want) {
				t.Errorf("implementations = %v, want %v", got, want)
			}
		})
	}
}

func typeName(v any) string { return reflect.TypeOf(v).String() }

func TestFromEnvRejectsBadSettings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		dataDir string
		wantErr string
	}{
		{name: "no data dir for the outbox", env: map[string]string{}, wantErr: "DataDir"},
		{name: "bad SMTP_PORT", env: map[string]string{"SMTP_HOST": "h", "SMTP_PORT": "smtp"}, wantErr: "SMTP_PORT"},
		{name: "port out of range", env: map[string]string{"SMTP_HOST": "h", "SMTP_PORT": "70000"}, wantErr: "SMTP_PORT"},
		{name: "bad SMTP_TLS", env: map[string]string{"SMTP_HOST": "h", "SMTP_TLS": "starttls"}, wantErr: "SMTP_TLS"},
		{name: "password without username", env: map[string]string{"SMTP_HOST": "h", "SMTP_PASSWORD": "pw"},
			wantErr: "SMTP_USERNAME"},
		{name: "bad MAIL_FROM", env: map[string]string{"MAIL_FROM": "shop at example"}, wantErr: `"shop at example"`},
		{name: "MAIL_FROM with line break", env: map[string]string{"MAIL_FROM": "a@b.c\nBcc: x@y.z"},
			wantErr: "line break"},
		{name: "token without phone id", env: map[string]string{"WHATSAPP_TOKEN": "tok"},
			wantErr: "WHATSAPP_PHONE_NUMBER_ID"},
		{name: "phone id without token", env: map[string]string{"WHATSAPP_PHONE_NUMBER_ID": "1"},
			wantErr: "WHATSAPP_TOKEN"},
		{name: "bad WHATSAPP_API_URL", env: map[string]string{"WHATSAPP_TOKEN": "tok",
			"WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_API_URL": "graph.facebook.com/v25.0"},
			wantErr: "WHATSAPP_API_URL"},
		{name: "LLM URL without model", env: map[string]string{"GBHOOK_LLM_URL": "http://127.0.0.1:1/v1"},
			wantErr: "GBHOOK_LLM_MODEL"},
		{name: "bad LLM URL", env: map[string]string{"GBHOOK_LLM_URL": "localhost:11434", "GBHOOK_LLM_MODEL": "m"},
			wantErr: "GBHOOK_LLM_URL"},
		{name: "bad LLM timeout", env: map[string]string{"GBHOOK_LLM_URL": "http://127.0.0.1:1/v1",
			"GBHOOK_LLM_MODEL": "m", "GBHOOK_LLM_TIMEOUT": "60"}, wantErr: "GBHOOK_LLM_TIMEOUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.name == "no data dir for the outbox" {
				dir = ""
			}
			_, _, _, err := FromEnv(Config{Getenv: envFunc(tc.env), DataDir: dir})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("FromEnv error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestUnconfiguredLLM(t *testing.T) {
	_, _, llm, err := FromEnv(Config{Getenv: envFunc(nil), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = llm.Complete(context.Background(), "hello")
	if err == nil || !strings.Contains(err.Error(), "GBHOOK_LLM_URL") || !strings.Contains(err.Error(), "GBHOOK_LLM_MODEL") {
		t.Errorf("Complete error = %v, want one naming GBHOOK_LLM_URL and GBHOOK_LLM_MODEL", err)
	}
}

// TestErrorZeroValues: the exported error types are usable as zero values.
func TestErrorZeroValues(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		want      string
		transient bool
	}{
		{"TransientError", &TransientError{}, "delivery: temporary failure (transient)", true},
		{"TransientError with a service", &TransientError{Service: "smtp"}, "smtp: temporary failure (transient)", true},
		{"GraphError", &GraphError{}, "whatsapp: graph API: ", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			if got := IsTransient(tc.err); got != tc.transient {
				t.Errorf("IsTransient = %v, want %v", got, tc.transient)
			}
		})
	}
}
