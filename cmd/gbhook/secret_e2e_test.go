package main

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
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

// TestSMTPImplicitTLSEndToEnd: with SMTP_TLS=implicit the binary speaks TLS
// from the first byte and verifies the server against the system's roots
// (here the test's certificate, through SSL_CERT_FILE).
func TestSMTPImplicitTLSEndToEnd(t *testing.T) {
	mail := deliverytest.NewSMTPTLS(t, "gbhook", smtpPass)
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(certFile, mail.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, map[string]string{
		"TWILIO_AUTH_TOKEN": twilioToken, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.Port,
		"SMTP_TLS": "implicit", "SMTP_USERNAME": "gbhook", "SMTP_PASSWORD": smtpPass, "SSL_CERT_FILE": certFile,
		"MAIL_FROM": "gbhook@example.com", "NOTIFY_EMAIL": "owner@example.com",
	})
	out, err := srv.simulate(t, nil, "twilio-gather", "--digits", "482913")
	if err != nil {
		t.Fatalf("simulate: %v\n%s\nlogs:\n%s", err, out, srv.logs)
	}
	got := mail.WaitFor(1, 5*time.Second)
	if len(got) != 1 || got[0].AuthUser != "gbhook" || got[0].To[0] != "owner@example.com" {
		t.Fatalf("SMTP server received %+v, want one mail to owner@example.com; logs:\n%s", got, srv.logs)
	}
}
