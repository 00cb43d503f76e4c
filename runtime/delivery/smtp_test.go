package delivery

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

// smtpServer says how the test SMTP server (deliverytest.SMTP) behaves.
type smtpServer struct {
	user, pass string
	rcptReply  *smtp.SMTPError
}

// start runs a real SMTP server on loopback for one case.
func (c smtpServer) start(t *testing.T) *deliverytest.SMTP {
	srv := deliverytest.NewSMTP(t, c.user, c.pass)
	srv.SetRcptReply(c.rcptReply)
	return srv
}

const smtpPassword = "s3cret-Pa55word"

type smtpCase struct {
	name       string
	be         smtpServer
	env        map[string]string
	mail       Mail
	wantErr    string // substring; "" means success
	wantTemp   bool
	wantAuthed string
}

func smtpCases() []smtpCase {
	const password = smtpPassword
	return []smtpCase{
		{name: "plain delivery", be: smtpServer{},
			env:  map[string]string{"SMTP_TLS": "none", "MAIL_FROM": "Shop <shop@example.com>"},
			mail: Mail{To: "alice@example.com", Subject: "Öffnungszeiten", Body: "Hello Zoë,\nwe are open.\n"}},
		{name: "auth plain", be: smtpServer{user: "shop", pass: password},
			env: map[string]string{"SMTP_TLS": "none", "SMTP_USERNAME": "shop", "SMTP_PASSWORD": password,
				"MAIL_FROM": "shop@example.com"},
			mail: Mail{To: "alice@example.com", Subject: "hi", Body: "x"}, wantAuthed: "shop"},
		{name: "wrong password", be: smtpServer{user: "shop", pass: "other"},
			env:     map[string]string{"SMTP_TLS": "none", "SMTP_USERNAME": "shop", "SMTP_PASSWORD": password},
			mail:    Mail{To: "alice@example.com", Subject: "hi", Body: "x"},
			wantErr: "bad credentials"},
		{name: "opportunistic without STARTTLS", be: smtpServer{},
			env:  map[string]string{"SMTP_TLS": "opportunistic"},
			mail: Mail{To: "alice@example.com", Subject: "hi", Body: "x"}},
		{name: "mandatory TLS without STARTTLS fails", be: smtpServer{},
			env:  map[string]string{},
			mail: Mail{To: "alice@example.com", Subject: "hi", Body: "x"}, wantErr: "STARTTLS"},
		{name: "refused recipient", be: smtpServer{rcptReply: &smtp.SMTPError{Code: 550,
			EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}},
			env:  map[string]string{"SMTP_TLS": "none"},
			mail: Mail{To: "nobody@example.com", Subject: "hi", Body: "x"}, wantErr: "no such user"},
		{name: "recipient deferred is transient", be: smtpServer{rcptReply: &smtp.SMTPError{Code: 450,
			EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}},
			env:  map[string]string{"SMTP_TLS": "none"},
			mail: Mail{To: "busy@example.com", Subject: "hi", Body: "x"}, wantErr: "mailbox busy", wantTemp: true},
		{name: "CR LF in subject", be: smtpServer{}, env: map[string]string{"SMTP_TLS": "none"},
			mail:    Mail{To: "alice@example.com", Subject: "hi\r\nBcc: victim@example.com", Body: "x"},
			wantErr: "Subject contains a line break"},
		{name: "LF in To", be: smtpServer{}, env: map[string]string{"SMTP_TLS": "none"},
			mail:    Mail{To: "alice@example.com\nBcc: victim@example.com", Subject: "hi", Body: "x"},
			wantErr: "To contains a line break"},
		{name: "invalid address", be: smtpServer{}, env: map[string]string{"SMTP_TLS": "none"},
			mail: Mail{To: "alice(at)example", Subject: "hi", Body: "x"}, wantErr: `"alice(at)example"`},
	}
}

func TestSMTPMailer(t *testing.T) {
	for _, tc := range smtpCases() {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.be.start(t)
			env := map[string]string{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": srv.Port}
			for k, v := range tc.env {
				env[k] = v
			}
			mailer, _, _, err := FromEnv(Config{Getenv: envFunc(env), DataDir: t.TempDir(), Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			where, err := mailer.SendMail(context.Background(), tc.mail)
			if want := "smtp 127.0.0.1:" + env["SMTP_PORT"]; where != want {
				t.Errorf("where = %q, want %q", where, want)
			}
			if tc.wantErr != "" {
				checkSMTPError(t, err, tc.wantErr, tc.wantTemp, smtpPassword)
				if got := srv.Received(); len(got) != 0 {
					t.Errorf("server received %d messages, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			checkReceived(t, srv, env, tc.mail, tc.wantAuthed)
		})
	}
}

func checkSMTPError(t *testing.T, err error, want string, wantTemp bool, password string) {
	t.Helper()
	if err == nil {
		t.Fatalf("SendMail succeeded, want an error containing %q", want)
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error %q contains the password", err)
	}
	if IsTransient(err) != wantTemp {
		t.Errorf("IsTransient(%q) = %v, want %v", err, !wantTemp, wantTemp)
	}
}

func checkReceived(t *testing.T, be *deliverytest.SMTP, env map[string]string, m Mail, wantAuthed string) {
	t.Helper()
	got := be.Received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.AuthUser != wantAuthed {
		t.Errorf("authenticated as %q, want %q", r.AuthUser, wantAuthed)
	}
	wantFrom := "gbhook@localhost"
	if f := env["MAIL_FROM"]; f != "" {
		wantFrom = f
	}
	if addr := mustAddress(t, wantFrom); r.From != addr {
		t.Errorf("MAIL FROM = %q, want %q", r.From, addr)
	}
	if len(r.To) != 1 || r.To[0] != m.To {
		t.Errorf("RCPT TO = %q, want [%q]", r.To, m.To)
	}
	checkEML(t, r.Data, wantFrom, m)
}

// TestSMTPHangingServer: a server that accepts the connection and never says a word must not hold a send past the
// timeout.
func TestSMTPHangingServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	done := make(chan struct{})
	conns.Go(func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		<-done
		c.Close()
	})
	defer func() {
		close(done)
		l.Close()
		conns.Wait()
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	env := map[string]string{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none"}
	mailer, _, _, err := FromEnv(Config{Getenv: envFunc(env), DataDir: t.TempDir(), Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = mailer.SendMail(context.Background(), Mail{To: "a@example.com", Subject: "s", Body: "b"})
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("SendMail took %v with a 300ms timeout", elapsed)
	}
	if err == nil || !IsTransient(err) {
		t.Errorf("err = %v, want a transient timeout error", err)
	}
	t.Logf("error: %v", err)
	var te *TransientError
	if !errors.As(err, &te) || te.Service != "smtp" {
		t.Errorf("err = %#v, want a *TransientError for smtp", err)
	}
}
