package delivery

import (
	"context"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPMailer sends mail through an SMTP server with go-mail. A new connection is made for every message, which keeps
// the type trivially safe for concurrent use and suits the low volume of webhook handlers.
type SMTPMailer struct {
	host     string
	port     int
	policy   gomail.TLSPolicy
	username string
	password string
	from     string
	timeout  time.Duration
}

const defaultSMTPPort = 587

func newSMTPMailer(env func(string) string, from string, timeout time.Duration) (*SMTPMailer, error) {
	s := &SMTPMailer{host: env("SMTP_HOST"), port: defaultSMTPPort, from: from, timeout: timeout,
		username: env("SMTP_USERNAME"), password: env("SMTP_PASSWORD")}
	if p := env("SMTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("delivery: SMTP_PORT %q is not a port number", p)
		}
		s.port = n
	}
	switch v := strings.ToLower(env("SMTP_TLS")); v {
	case "", "mandatory":
		s.policy = gomail.TLSMandatory
	case "opportunistic":
		s.policy = gomail.TLSOpportunistic
	case "none":
		s.policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("delivery: SMTP_TLS %q: want mandatory, opportunistic or none", v)
	}
	if s.password != "" && s.username == "" {
		return nil, errors.New("delivery: SMTP_PASSWORD is set but SMTP_USERNAME is not")
	}
	return s, nil
}

// Addr is the server's host:port.
func (s *SMTPMailer) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// SendMail sends m within the configured timeout (or ctx's deadline, if sooner).
func (s *SMTPMailer) SendMail(ctx context.Context, m Mail) (string, error) {
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

func (s *SMTPMailer) client(ctx context.Context) (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSPolicy(s.policy),
		gomail.WithDialContextFunc(closeOnDone(ctx)),
	}
	if s.username != "" {
		// go-mail refuses PLAIN without TLS except on localhost, so a plaintext remote server fails loudly.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.username), gomail.WithPassword(s.password))
	}
	return gomail.NewClient(s.host, opts...)
}

// closeOnDone dials and closes the connection when sendCtx ends. go-mail applies the context only to the dial and
// a per-command deadline afterwards; this makes the whole conversation end with the send's deadline or cancellation.
func closeOnDone(sendCtx context.Context) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(sendCtx, func() { conn.Close() })
		return conn, nil
	}
}

// wrap names the server, keeps the password out of the text and marks network trouble as transient.
func (s *SMTPMailer) wrap(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		// The connection was closed under go-mail, whose own error then says little.
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	e := &redactedError{prefix: "smtp " + s.Addr() + ": ", err: err, secret: s.password}
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

// redactedError prefixes and redacts the text of err but keeps it in the chain for errors.As.
type redactedError struct {
	prefix string
	err    error
	secret string
}

func (e *redactedError) Error() string { return redact(e.prefix+e.err.Error(), e.secret) }

func (e *redactedError) Unwrap() error { return e.err }
