package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

const voiceTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="https://your-domain.com/twilio/gather" method="POST" numDigits="6"><Say voice="alice" language="pt-BR">Please enter your verification code followed by the pound sign.</Say></Gather><Redirect>https://twimlets.com/voicemail?Email=your-email@example.com</Redirect></Response>`

// simulate covers every shipped route, its signatures pass, a wrong secret
// gives 403, and no secret reaches the logs of the whole run.
func TestSimulateEveryShippedRoute(t *testing.T) {
	graph := deliverytest.NewGraph(t)
	mail := deliverytest.NewSMTP(t, "gbhook", smtpPass)
	srv := startServe(t, map[string]string{
		"TWILIO_AUTH_TOKEN": twilioToken, "META_APP_SECRET": metaSecret, "META_VERIFY_TOKEN": "verify-me",
		"WHATSAPP_TOKEN": waToken, "WHATSAPP_PHONE_NUMBER_ID": "113469798404167", "WHATSAPP_API_URL": graph.URL,
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.Port, "SMTP_TLS": "none",
		"SMTP_USERNAME": "gbhook", "SMTP_PASSWORD": smtpPass,
	})
	tests := []struct {
		name  string
		extra map[string]string
		args  []string
		fails bool
		want  []string
	}{
		{"twilio-call", nil, []string{"twilio-call"}, false, []string{"200 text/xml", voiceTwiML}},
		{"twilio-gather", nil, []string{"twilio-gather", "--digits", "123456"}, false, []string{"200 text/xml", thankYou}},
		{"whatsapp-text", nil, []string{"whatsapp-text", "--text", "hello"}, false, []string{"200 ", "OK"}},
		{"whatsapp-status", nil, []string{"whatsapp-status", "--status", "delivered"}, false, []string{"200 ", "OK"}},
		{"meta-verify", nil, []string{"meta-verify", "--challenge", "8675309"}, false, []string{"200 text/plain", "8675309"}},
		{"meta-verify wrong token", map[string]string{"META_VERIFY_TOKEN": "nope"}, []string{"meta-verify"}, true, []string{"403 ", "Forbidden"}},
		{"twilio wrong token", map[string]string{"TWILIO_AUTH_TOKEN": "wrong"}, []string{"twilio-call"}, true, []string{"403 "}},
		{"meta wrong secret", map[string]string{"META_APP_SECRET": "wrong"}, []string{"whatsapp-text"}, true, []string{"403 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := srv.simulate(t, tt.extra, tt.args...)
			if (err != nil) != tt.fails {
				t.Fatalf("err = %v, want failure %v\n%s", err, tt.fails, out)
			}
			mustContain(t, "output", out, tt.want...)
		})
	}
	// one reply for the one text message that was signed correctly; none for the status
	graph.WaitFor(1, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := len(graph.Requests()); n != 1 {
		t.Errorf("Graph API got %d requests, want 1 (status deliveries make no job)", n)
	}
	if n := len(mail.WaitFor(1, 5*time.Second)); n != 1 {
		t.Errorf("SMTP got %d mails, want 1", n)
	}
	logs := srv.logs.String()
	for _, secret := range []string{twilioToken, metaSecret, waToken, smtpPass} {
		if strings.Contains(logs, secret) {
			t.Errorf("secret %q appears in the server's logs", secret)
		}
	}
}

func TestUnsetSecretAnswers503(t *testing.T) {
	srv := startServe(t, nil)
	out, err := srv.simulate(t, map[string]string{"TWILIO_AUTH_TOKEN": "x"}, "twilio-call")
	if err == nil {
		t.Fatalf("want failure, got %s", out)
	}
	mustContain(t, "output", out, "503 ", "TWILIO_AUTH_TOKEN")
}
