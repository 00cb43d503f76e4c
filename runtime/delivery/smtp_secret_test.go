package delivery

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
	"github.com/gbhook/gbhook/runtime/secret"
)

// TestSMTPEchoedCredentialsRedacted: a server that quotes the AUTH PLAIN
// argument in its 535 reply must not put the password, in any encoding, into
// the error text that gets logged.
func TestSMTPEchoedCredentialsRedacted(t *testing.T) {
	const pass = "s3cret Pa55/word?>~" // base64 with + and /; escapes in URLs
	if arg := []byte("\x00shop\x00" + pass); base64.StdEncoding.EncodeToString(arg) == base64.URLEncoding.EncodeToString(arg) {
		t.Fatal("the test password must encode differently in the two base64 alphabets")
	}
	password := func(arg []byte) string { return strings.Split(string(arg), "\x00")[2] }
	tests := []struct {
		name string
		echo func(arg []byte) string
		want string // PORT stands for the server's port
	}{
		{"standard base64", func(a []byte) string { return "rejected " + base64.StdEncoding.EncodeToString(a) },
			`rejected [REDACTED]`},
		{"URL base64", func(a []byte) string { return "rejected " + base64.URLEncoding.EncodeToString(a) },
			`rejected [REDACTED]`},
		{"base64 glued to a word", func(a []byte) string { return "arg=x" + base64.RawStdEncoding.EncodeToString(a) },
			`arg=[REDACTED]`},
		{"plain", func(a []byte) string { return "rejected " + password(a) }, `rejected [REDACTED]`},
		{"query-escaped", func(a []byte) string { return "rejected " + url.QueryEscape(password(a)) },
			`rejected [REDACTED]`},
		{"path-escaped", func(a []byte) string { return "rejected " + url.PathEscape(password(a)) },
			`rejected [REDACTED]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := deliverytest.NewSMTP(t, "shop", pass)
			srv.SetAuthEcho(tc.echo)
			env := envFunc(map[string]string{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": srv.Port, "SMTP_TLS": "none",
				"SMTP_USERNAME": "shop", "SMTP_PASSWORD": pass})
			mailer, _, _, err := FromEnv(Config{Getenv: env, DataDir: t.TempDir(), Timeout: 5 * time.Second,
				Redact: secret.NewRedactor(env).Redact})
			if err != nil {
				t.Fatal(err)
			}
			_, err = mailer.SendMail(context.Background(), Mail{To: "a@example.com", Subject: "s", Body: "b"})
			if err == nil {
				t.Fatal("SendMail succeeded against a server refusing AUTH")
			}
			text := err.Error()
			for _, form := range secretForms("\x00shop\x00"+pass, pass) {
				if strings.Contains(text, form) {
					t.Errorf("error text holds the password as %q:\n%s", form, text)
				}
			}
			if want := "smtp 127.0.0.1:" + srv.Port + `: dial failed: SMTP AUTH failed: 535 "5.7.8 ` + tc.want + `"`; text != want {
				t.Errorf("error text:\n%s\nwant:\n%s", text, want)
			}
		})
	}
}

// secretForms is every way the tests look for a leak of pass or of the AUTH PLAIN argument.
func secretForms(arg, pass string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding,
		base64.RawURLEncoding} {
		out = append(out, enc.EncodeToString([]byte(arg)), enc.EncodeToString([]byte(pass)))
	}
	return append(out, pass, url.QueryEscape(pass), url.PathEscape(pass))
}

func TestSMTPImplicitTLS(t *testing.T) {
	tests := []struct {
		name    string
		tlsMode string
		trust   bool
		wantErr string // "" means delivered
	}{
		{"implicit TLS to a trusted server", "implicit", true, ""},
		{"implicit is case-insensitive", "IMPLICIT", true, ""},
		{"an untrusted certificate is refused", "implicit", false,
			"smtp 127.0.0.1:PORT: dial failed: TLS handshake: tls: failed to verify certificate: x509: certificate signed by unknown authority"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := deliverytest.NewSMTPTLS(t, "shop", smtpPassword)
			env := map[string]string{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": srv.Port, "SMTP_TLS": tc.tlsMode,
				"SMTP_USERNAME": "shop", "SMTP_PASSWORD": smtpPassword, "MAIL_FROM": "shop@example.com"}
			var conf *tls.Config
			if tc.trust {
				conf = srv.ClientTLS
			}
			mailer, _, _, err := FromEnv(Config{Getenv: envFunc(env), DataDir: t.TempDir(), Timeout: 5 * time.Second,
				SMTPTLS: conf})
			if err != nil {
				t.Fatal(err)
			}
			m := Mail{To: "alice@example.com", Subject: "hi", Body: "over TLS"}
			_, err = mailer.SendMail(context.Background(), m)
			if tc.wantErr != "" {
				want := strings.ReplaceAll(tc.wantErr, "PORT", srv.Port)
				if err == nil || err.Error() != want {
					t.Errorf("err = %v, want %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			checkReceived(t, srv, env, m, "shop")
		})
	}
}

// TestSMTPTLSModeFromEnv: SMTP_TLS picks the mode; on port 465 it defaults to implicit TLS.
func TestSMTPTLSModeFromEnv(t *testing.T) {
	tests := []struct {
		name, port, tls string
		wantImplicit    bool
		wantErr         string
	}{
		{name: "default port: STARTTLS", wantImplicit: false},
		{name: "port 465: implicit", port: "465", wantImplicit: true},
		{name: "port 465, mandatory STARTTLS asked for", port: "465", tls: "mandatory", wantImplicit: false},
		{name: "implicit on another port", port: "2465", tls: "implicit", wantImplicit: true},
		{name: "unknown mode", tls: "ssl",
			wantErr: `delivery: SMTP_TLS "ssl": want mandatory, opportunistic, implicit or none`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SMTP_HOST": "mail.example.com", "SMTP_PORT": tc.port, "SMTP_TLS": tc.tls}
			m, _, _, err := FromEnv(Config{Getenv: envFunc(env), DataDir: t.TempDir()})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := m.(*smtpMailer)
			if s.implicit != tc.wantImplicit || s.tls.ServerName != "mail.example.com" || s.tls.RootCAs != nil {
				t.Errorf("implicit = %v, TLS server name %q, roots %v; want implicit %v, mail.example.com, system roots",
					s.implicit, s.tls.ServerName, s.tls.RootCAs, tc.wantImplicit)
			}
		})
	}
}
