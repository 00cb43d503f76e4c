package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpMailer sends mail through an SMTP server with go-mail. A new connection is made for every message, which keeps
// the type trivially safe for concurrent use and suits the low volume of webhook handlers.
type smtpMailer struct {
	host     string
	port     int
	policy   gomail.TLSPolicy
	implicit bool        // TLS from the first byte (SMTPS, port 465) rather than STARTTLS
	tls      *tls.Config // for either
	username string
	password string
	from     string
	timeout  time.Duration
	redact   func(string) string
}

const (
	defaultSMTPPort = 587
	implicitTLSPort = 465 // SMTPS, RFC 8314 §3.3: SMTP_TLS defaults to implicit on it
)

func newSMTPMailer(env func(string) string, from string, c Config) (*smtpMailer, error) {
	s := &smtpMailer{host: env("SMTP_HOST"), port: defaultSMTPPort, from: from, timeout: c.Timeout,
		username: env("SMTP_USERNAME"), password: env("SMTP_PASSWORD")}
	s.redact = c.redactor(s.password)
	if p := env("SMTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("delivery: SMTP_PORT %q is not a port number", p)
		}
		s.port = n
	}
	v := strings.ToLower(env("SMTP_TLS"))
	if v == "" && s.port == implicitTLSPort {
		v = "implicit"
	}
	switch v {
	case "", "mandatory":
		s.policy = gomail.TLSMandatory
	case "implicit":
		s.policy, s.implicit = gomail.TLSMandatory, true
	case "opportunistic":
		s.policy = gomail.TLSOpportunistic
	case "none":
		s.policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("delivery: SMTP_TLS %q: want mandatory, opportunistic, implicit or none", v)
	}
	s.tls = smtpTLSConfig(c.SMTPTLS, s.host)
	if s.password != "" && s.username == "" {
		return nil, errors.New("delivery: SMTP_PASSWORD is set but SMTP_USERNAME is not")
	}
	return s, nil
}

// Addr is the server's host:port.
func (s *smtpMailer) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// SendMail sends m within the configured timeout (or ctx's deadline, if sooner).
func (s *smtpMailer) SendMail(ctx context.Context, m Mail) (string, error) {
	where := "smtp " + s.Addr()
	msg, err := buildMsg(s.from, m)
	if err != nil {
		return where, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	client, err := s.client(ctx)
	if err != nil {
		return where, s.wrap(ctx, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return where, s.wrap(ctx, err)
	}
	return where, nil
}

// smtpTLSConfig is base (or a default) with the server name to verify set to host.
func smtpTLSConfig(base *tls.Config, host string) *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		c = base.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	return c
}

func (s *smtpMailer) client(ctx context.Context) (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSPolicy(s.policy),
		gomail.WithTLSConfig(s.tls),
		gomail.WithDialContextFunc(closeOnDone(ctx, s.implicitTLS())),
	}
	if s.implicit {
		opts = append(opts, gomail.WithSSL()) // go-mail then skips STARTTLS; the dialer does the handshake
	}
	if s.username != "" {
		// go-mail refuses PLAIN without TLS except on localhost, so a plaintext remote server fails loudly.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.username), gomail.WithPassword(s.password))
	}
	return gomail.NewClient(s.host, opts...)
}

// implicitTLS is the configuration the dialer handshakes with, or nil for a plain connection.
func (s *smtpMailer) implicitTLS() *tls.Config {
	if s.implicit {
		return s.tls
	}
	return nil
}

// closeOnDone dials (with TLS when tlsConf is set) and closes the connection when sendCtx ends. go-mail applies the
// context only to the dial and a per-command deadline afterwards; this makes the whole conversation end with the
// send's deadline or cancellation. go-mail does not wrap a custom dialer in TLS itself, so implicit TLS is done here.
func closeOnDone(sendCtx context.Context, tlsConf *tls.Config) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(sendCtx, func() { conn.Close() })
		if tlsConf == nil {
			return conn, nil
		}
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		return tc, nil
	}
}

// wrap names the server, keeps the password out of the text and marks network trouble as transient.
func (s *smtpMailer) wrap(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		// The connection was closed under go-mail, whose own error then says little.
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	e := &redactedError{prefix: "smtp " + s.Addr() + ": ", err: err, redact: s.redact}
	var ne net.Error
	if ctx.Err() != nil || errors.As(err, &ne) {
		return &TransientError{Service: "smtp", Err: e}
	}
	return e
}

// buildMsg validates m and turns it into a go-mail message. The outbox and SMTP share it, so a message that lands in
// the outbox during development is exactly what SMTP would have sent.
func buildMsg(from string, m Mail) (*gomail.Msg, error) {
	fromAddr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	to, err := parseTo(m.To)
	if err != nil {
		return nil, err
	}
	if err := checkHeaderValue("Subject", m.Subject); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	msg.FromMailAddress(fromAddr)
	msg.ToMailAddress(to...)
	msg.Subject(m.Subject)
	msg.SetUserAgent("gbhook")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

func parseFrom(from string) (*netmail.Address, error) {
	if err := checkHeaderValue("From", from); err != nil {
		return nil, err
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("delivery: invalid MAIL_FROM address %q: %v", from, err)
	}
	return a, nil
}

// parseTo accepts one address or a comma-separated list, with or without display names.
func parseTo(to string) ([]*netmail.Address, error) {
	if err := checkHeaderValue("To", to); err != nil {
		return nil, err
	}
	if strings.TrimSpace(to) == "" {
		return nil, errors.New("delivery: mail To is empty")
	}
	list, err := netmail.ParseAddressList(to)
	if err != nil {
		return nil, fmt.Errorf("delivery: invalid To address %q: %v", to, err)
	}
	return list, nil
}

// isTempSMTPError reports an SMTP 4xx reply, which the server means as "try again later".
func isTempSMTPError(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.IsTemp()
}
