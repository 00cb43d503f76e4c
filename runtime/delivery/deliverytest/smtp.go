// Package deliverytest runs real servers for delivery tests, as httptest does
// for HTTP: an in-process SMTP server (emersion/go-smtp) that records what it
// receives, and a Graph API stand-in that records requests and answers fixtures.
package deliverytest

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message an SMTP server received.
type Mail struct {
	AuthUser string
	From     string
	To       []string
	Data     []byte
}

// SMTP is a real SMTP server on loopback, without STARTTLS: plain, or TLS
// from the first byte (NewSMTPTLS).
type SMTP struct {
	Addr       string // host:port
	Port       string
	User, Pass string      // when User is set, MAIL requires AUTH PLAIN
	ClientTLS  *tls.Config // trusts the server's certificate; nil for a plain server
	CertPEM    []byte      // the server's self-signed certificate, for a child process's SSL_CERT_FILE

	mu        sync.Mutex
	msgs      []Mail
	rcptReply *smtp.SMTPError
	authEcho  func(arg []byte) string
}

// SetAuthEcho makes every AUTH fail with a 535 reply whose text is echo(arg),
// arg being the decoded AUTH PLAIN argument ("\x00user\x00pass"), as servers
// that quote what they were sent do (nil: check the credentials).
func (s *SMTP) SetAuthEcho(echo func(arg []byte) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authEcho = echo
}

// SetRcptReply makes every RCPT fail with reply (nil: accept).
func (s *SMTP) SetRcptReply(reply *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptReply = reply
}

// NewSMTP starts a server closed at the end of the test.
func NewSMTP(t testing.TB, user, pass string) *SMTP {
	t.Helper()
	return newSMTP(t, user, pass, nil)
}

// NewSMTPTLS starts a server that speaks TLS from the first byte (SMTPS), with
// a new self-signed certificate for 127.0.0.1 that ClientTLS trusts.
func NewSMTPTLS(t testing.TB, user, pass string) *SMTP {
	t.Helper()
	serverConf, clientConf, certPEM := selfSigned(t)
	s := newSMTP(t, user, pass, serverConf)
	s.ClientTLS, s.CertPEM = clientConf, certPEM
	return s
}

func newSMTP(t testing.TB, user, pass string, tlsConf *tls.Config) *SMTP {
	s := &SMTP{User: user, Pass: pass}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsConf != nil {
		l = tls.NewListener(l, tlsConf)
	}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	s.Addr = l.Addr().String()
	_, s.Port, _ = net.SplitHostPort(s.Addr)
	return s
}

// Received returns the messages so far.
func (s *SMTP) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
}

// WaitFor polls until n messages arrived or the timeout passed.
func (s *SMTP) WaitFor(n int, timeout time.Duration) []Mail {
	deadline := time.Now().Add(timeout)
	for {
		got := s.Received()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// NewSession implements smtp.Backend.
func (s *SMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv *SMTP
	cur Mail
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	s.srv.mu.Lock()
	echo := s.srv.authEcho
	s.srv.mu.Unlock()
	if echo != nil {
		return echoServer(echo), nil
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.User || password != s.srv.Pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.cur.AuthUser = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.User != "" && s.cur.AuthUser == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	reply := s.srv.rcptReply
	s.srv.mu.Unlock()
	if reply != nil {
		return reply
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = Mail{AuthUser: s.cur.AuthUser} }
func (s *session) Logout() error { return nil }

// echoServer fails AUTH quoting its argument.
type echoServer func(arg []byte) string

func (e echoServer) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil {
		return []byte{}, false, nil // ask for the argument
	}
	return nil, false, &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: e(resp)}
}
