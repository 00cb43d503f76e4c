package delivery

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpBackend is a real in-process SMTP server's backend that records what it receives.
type smtpBackend struct {
	user, pass string // when user is set, MAIL requires AUTH PLAIN with these
	rcptReply  *smtp.SMTPError

	mu   sync.Mutex
	msgs []receivedMail
}

type receivedMail struct {
	authUser string
	from     string
	to       []string
	data     []byte
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{be: b}, nil }

func (b *smtpBackend) received() []receivedMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]receivedMail(nil), b.msgs...)
}

type smtpSession struct {
	be  *smtpBackend
	cur receivedMail
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.be.user || password != s.be.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.cur.authUser = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.be.user != "" && s.cur.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.be.rcptReply != nil {
		return s.be.rcptReply
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.be.mu.Lock()
	s.be.msgs = append(s.be.msgs, s.cur)
	s.be.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = receivedMail{authUser: s.cur.authUser} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP serves be on a loopback port without STARTTLS and returns the port.
func startSMTP(t *testing.T, be *smtpBackend) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

const smtpPassword = "s3cret-Pa55word"

type smtpCase struct {
	name       string
	be         *smtpBackend
	env        map[string]string
	mail       Mail
	wantErr    string // substring; "" means success
	wantTemp   bool
	wantAuthed string
}

func smtpCases() []smtpCase {
	const password = smtpPassword
	return []smtpCase{
		{name: "plain delivery", be: &smtpBackend{},
			env:  map[string]string{"SMTP_TLS": "none", "MAIL_FROM": "Shop <shop@example.com>"},
			mail: Mail{To: "alice@example.com", Subject: "Öffnungszeiten", Body: "Hello Zoë,\nwe are open.\n"}},
		{name: "auth plain", be: &smtpBackend{user: "shop", pass: password},
			env: map[string]string{"SMTP_TLS": "none", "SMTP_USERNAME": "shop", "SMTP_PASSWORD": password,
				"MAIL_FROM": "shop@example.com"},
			mail: Mail{To: "alice@example.com", Subject: "hi", Body: "x"}, wantAuthed: "shop"},
		{name: "wrong password", be: &smtpBackend{user: "shop", pass: "other"},
			env:     map[string]string{"SMTP_TLS": "none", "SMTP_USERNAME": "shop", "SMTP_PASSWORD": password},
			mail:    Mail{To: "alice@example.com", Subject: "hi", Body: "x"},
			wantErr: "bad credentials"},
		{name: "opportunistic without STARTTLS", be: &smtpBackend{},
			env:  map[string]string{"SMTP_TLS": "opportunistic"},
			mail: Mail{To: "alice@example.com", Subject: "hi", Body: "x"}},
		{name: "mandatory TLS without STARTTLS fails", be: &smtpBackend{},
			env:  map[string]string{},
			mail: Mail{To: "alice@example.com", Subject: "hi", Body: "x"}, wantErr: "STARTTLS"},
		{name: "refused recipient", be: &smtpBackend{rcptReply: &smtp.SMTPError{Code: 550,
			EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}},
			env:  map[string]string{"SMTP_TLS": "none"},
			mail: Mail{To: "nobody@example.com", Subject: "hi", Body: "x"}, wantErr: "no such user"},
		{name: "recipient deferred is transient", be: &smtpBackend{rcptReply: &smtp.SMTPError{Code: 450,
			EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}},
			env:  map[string]string{"SMTP_TLS": "none"},
			mail: Mail{To: "busy@example.com", Subject: "hi", Body: "x"}, wantErr: "mailbox busy", wantTemp: true},
		{name: "CR LF in subject", be: &smtpBackend{}, env: map[string]string{"SMTP_TLS": "none"},
			mail:    Mail{To: "alice@example.com", Subject: "hi\r\nBcc: victim@example.com", Body: "x"},
			wantErr: "Subject contains a line break"},
		{name: "LF in To", be: &smtpBackend{}, env: map[string]string{"SMTP_TLS": "none"},
			mail:    Mail{To: "alice@example.com\nBcc: victim@example.com", Subject: "hi", Body: "x"},
			wantErr: "To contains a line break"},
		{name: "invalid address", be: &smtpBackend{}, env: map[string]string{"SMTP_TLS": "none"},
			mail: Mail{To: "alice(at)example", Subject: "hi", Body: "x"}, wantErr: `"alice(at)example"`},
	}
}

func TestSMTPMailer(t *testing.T) {
	for _, tc := range smtpCases() {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": startSMTP(t, tc.be)}
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
				if got := tc.be.received(); len(got) != 0 {
					t.Errorf("server received %d messages, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			checkReceived(t, tc.be, env, tc.mail, tc.wantAuthed)
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

func checkReceived(t *testing.T, be *smtpBackend, env map[string]string, m Mail, wantAuthed string) {
	t.Helper()
	got := be.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.authUser != wantAuthed {
		t.Errorf("authenticated as %q, want %q", r.authUser, wantAuthed)
	}
	wantFrom := "gbhook@localhost"
	if f := env["MAIL_FROM"]; f != "" {
		wantFrom = f
	}
	if addr := mustAddress(t, wantFrom); r.from != addr {
		t.Errorf("MAIL FROM = %q, want %q", r.from, addr)
	}
	if len(r.to) != 1 || r.to[0] != m.To {
		t.Errorf("RCPT TO = %q, want [%q]", r.to, m.To)
	}
	checkEML(t, r.data, wantFrom, m)
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
