package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

const (
	twilioToken = "tw-token-7f3a9c"
	metaSecret  = "meta-secret-41bd0e"
	waToken     = "wa-token-EAAG93kq"
	smtpPass    = "smtp-pass-x81Lz"
	thankYou    = `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you. Your code has been received.</Say></Response>`
)

func TestSeedTwilioFlowEndToEnd(t *testing.T) {
	mail := deliverytest.NewSMTP(t, "gbhook", smtpPass)
	srv := startServe(t, map[string]string{
		"TWILIO_AUTH_TOKEN": twilioToken, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.Port,
		"SMTP_TLS": "none", "SMTP_USERNAME": "gbhook", "SMTP_PASSWORD": smtpPass,
		"MAIL_FROM": "gbhook@example.com", "NOTIFY_EMAIL": "owner@example.com",
	})
	out, err := srv.simulate(t, nil, "twilio-gather", "--digits", "482913")
	if err != nil {
		t.Fatalf("simulate: %v\n%s\nlogs:\n%s", err, out, srv.logs)
	}
	mustContain(t, "simulate output", out, "200 text/xml", thankYou)
	got := mail.WaitFor(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("SMTP server received %d mails, want 1; logs:\n%s", len(got), srv.logs)
	}
	m := got[0]
	if m.From != "gbhook@example.com" || len(m.To) != 1 || m.To[0] != "owner@example.com" || m.AuthUser != "gbhook" {
		t.Errorf("envelope from %q to %v auth %q", m.From, m.To, m.AuthUser)
	}
	mustContain(t, "mail", string(m.Data), "Subject: WhatsApp Verification Code", "Your verification code is: 482913")
}

func TestSeedWhatsAppFlowEndToEnd(t *testing.T) {
	graph := deliverytest.NewGraph(t)
	srv := startServe(t, map[string]string{
		"META_APP_SECRET": metaSecret, "WHATSAPP_TOKEN": waToken,
		"WHATSAPP_PHONE_NUMBER_ID": "113469798404167", "WHATSAPP_API_URL": graph.URL + "/v25.0",
	})
	out, err := srv.simulate(t, nil, "whatsapp-text", "--from", "5511999999999", "--text", "hi")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	mustContain(t, "simulate output", out, "200 ", "OK")
	graph.WaitFor(1, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // a second, unwanted send would arrive by now
	reqs := graph.Requests()
	if len(reqs) != 1 {
		t.Fatalf("Graph API got %d requests, want exactly 1; logs:\n%s", len(reqs), srv.logs)
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/v25.0/113469798404167/messages" || r.Authorization != "Bearer "+waToken {
		t.Errorf("request %s %s auth %q", r.Method, r.Path, r.Authorization)
	}
	var body struct {
		To   string `json:"to"`
		Text struct {
			Body string `json:"body"`
		} `json:"text"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.To != "5511999999999" || body.Text.Body != "Thanks for your message! You said: hi" {
		t.Errorf("sent to %q text %q", body.To, body.Text.Body)
	}
}

// Transient Graph errors are retried by the spawn path; permanent ones are not.
func TestGraphErrorsRetriedOnlyWhenTransient(t *testing.T) {
	fixture := func(name string) string {
		b, err := os.ReadFile("../../testdata/fixtures/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name    string
		replies []deliverytest.Reply
		want    int
	}{
		{"130429 throughput is retried", []deliverytest.Reply{{Status: 400, Body: fixture("graph-send-error-130429.json")}, {Status: 200, Body: fixture("graph-send-success.json")}}, 2},
		{"190 expired token is not", []deliverytest.Reply{{Status: 401, Body: fixture("graph-send-error-190.json")}}, 1},
		{"131047 re-engagement is not", []deliverytest.Reply{{Status: 400, Body: fixture("graph-send-error-131047.json")}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			graph := deliverytest.NewGraph(t, tt.replies...)
			srv := startServe(t, map[string]string{"META_APP_SECRET": metaSecret, "WHATSAPP_TOKEN": waToken,
				"WHATSAPP_PHONE_NUMBER_ID": "113469798404167", "WHATSAPP_API_URL": graph.URL})
			if out, err := srv.simulate(t, nil, "whatsapp-text"); err != nil {
				t.Fatalf("simulate: %v\n%s", err, out)
			}
			graph.WaitFor(tt.want, 5*time.Second)
			time.Sleep(1500 * time.Millisecond) // past the first retry's backoff
			if got := len(graph.Requests()); got != tt.want {
				t.Errorf("Graph API got %d requests, want %d; logs:\n%s", got, tt.want, srv.logs)
			}
			if strings.Contains(srv.logs.String(), waToken) {
				t.Errorf("the WhatsApp token appears in the logs")
			}
		})
	}
}
