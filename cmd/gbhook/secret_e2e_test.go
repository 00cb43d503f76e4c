package main

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

// TestEchoedSMTPPasswordNotLogged: an SMTP server that quotes the AUTH PLAIN
// argument (base64 of "\x00user\x00pass") in its 535 reply must not get the
// password into the server's log in any encoding.
func TestEchoedSMTPPasswordNotLogged(t *testing.T) {
	mail := deliverytest.NewSMTP(t, "gbhook", smtpPass)
	mail.SetAuthEcho(func(arg []byte) string { return "bad credentials " + base64.StdEncoding.EncodeToString(arg) })
	srv := startServe(t, map[string]string{
		"TWILIO_AUTH_TOKEN": twilioToken, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.Port,
		"SMTP_TLS": "none", "SMTP_USERNAME": "gbhook", "SMTP_PASSWORD": smtpPass,
		"MAIL_FROM": "gbhook@example.com", "NOTIFY_EMAIL": "owner@example.com",
	})
	// SEND MAIL fails, so the handler answers 500 and simulate exits 1.
	out, _ := srv.simulate(t, nil, "twilio-gather", "--digits", "482913")
	mustContain(t, "simulate output", out, "500 text/plain")
	want := `535 \"5.7.8 bad credentials [REDACTED]\"`
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(srv.logs.String(), want) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	logs := srv.logs.String()
	if !strings.Contains(logs, want) {
		t.Errorf("logs do not contain %s:\n%s", want, logs)
	}
	arg := []byte("\x00gbhook\x00" + smtpPass)
	for _, form := range []string{smtpPass, url.QueryEscape(smtpPass), base64.StdEncoding.EncodeToString(arg),
		base64.RawStdEncoding.EncodeToString(arg), base64.StdEncoding.EncodeToString([]byte(smtpPass))} {
		if strings.Contains(logs, form) {
			t.Errorf("logs hold the SMTP password as %q:\n%s", form, logs)
		}
	}
}
