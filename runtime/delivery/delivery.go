// Package delivery sends mail, WhatsApp messages and LLM prompts: to real services when configured, otherwise to an
// on-disk outbox for development.
//
// FromEnv picks one implementation per channel from environment variables:
//
//   - mail: SMTP (go-mail) when SMTP_HOST is set, otherwise .eml files in <DataDir>/outbox/mail/;
//   - WhatsApp: the Graph API when WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are set, otherwise the request bodies
//     it would send, as .json files in <DataDir>/outbox/whatsapp/;
//   - LLM: an OpenAI-compatible /chat/completions endpoint when GBHOOK_LLM_URL is set, otherwise an implementation
//     whose Complete always fails with an error that says what to configure.
//
// Every implementation is safe for concurrent use, and every network call is bounded by Config.Timeout.
package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Mail is one plain-text message to send.
type Mail struct{ To, Subject, Body string }

// Mailer sends mail. where is a short human description of the destination, for the log line,
// e.g. "outbox/mail/20261130T101501.123456789Z-1.eml" or "smtp mail.example.com:587".
type Mailer interface {
	SendMail(ctx context.Context, m Mail) (where string, err error)
}

// WhatsApp sends a WhatsApp text message to a phone number (E.164 digits) or WhatsApp ID.
type WhatsApp interface {
	SendText(ctx context.Context, to, text string) (where string, err error)
}

// LLM completes a prompt with a language model.
type LLM interface {
	Complete(ctx context.Context, prompt string) (string, error)
}

// Config tells FromEnv where to read settings and where the outbox lives.
type Config struct {
	Getenv  func(string) string // nil means os.Getenv
	DataDir string              // the outbox is <DataDir>/outbox/...; required only when an outbox is used
	Timeout time.Duration       // per network call; 0 means DefaultTimeout
	// Redact removes secrets from error text, which may quote what a server sent back. gbhook passes
	// secret.NewRedactor(getenv).Redact: every secret variable, plain, URL-encoded and base64. nil: each client
	// removes only its own credential, as written.
	Redact func(string) string
	// SMTPTLS is the TLS configuration for SMTP (STARTTLS or implicit); its ServerName defaults to SMTP_HOST.
	// nil: the system's roots. Tests set RootCAs to trust their own server.
	SMTPTLS *tls.Config
}

// DefaultTimeout bounds each network call when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// defaultFrom is the sender used when MAIL_FROM is unset.
const defaultFrom = "gbhook@localhost"

// FromEnv chooses the implementations from the environment (see the package comment). It fails on settings that are
// present but malformed, so that a typo is reported at start-up rather than on the first SEND.
func FromEnv(c Config) (Mailer, WhatsApp, LLM, error) {
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	env := func(k string) string {
		if k == "SMTP_PASSWORD" {
			return c.Getenv(k) // a password may really end in a space; everything else is trimmed
		}
		return strings.TrimSpace(c.Getenv(k))
	}
	mailer, err := mailerFromEnv(c, env)
	if err != nil {
		return nil, nil, nil, err
	}
	wa, err := whatsAppFromEnv(c, env)
	if err != nil {
		return nil, nil, nil, err
	}
	llm, err := llmFromEnv(c, env)
	if err != nil {
		return nil, nil, nil, err
	}
	return mailer, wa, llm, nil
}

func mailerFromEnv(c Config, env func(string) string) (Mailer, error) {
	from := env("MAIL_FROM")
	if from == "" {
		from = defaultFrom
	}
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	if env("SMTP_HOST") != "" {
		return newSMTPMailer(env, from, c)
	}
	dir, err := outboxDir(c.DataDir, "mail")
	if err != nil {
		return nil, err
	}
	return &outboxMailer{dir: dir, from: from}, nil
}

func whatsAppFromEnv(c Config, env func(string) string) (WhatsApp, error) {
	token, phoneID := env("WHATSAPP_TOKEN"), env("WHATSAPP_PHONE_NUMBER_ID")
	switch {
	case token != "" && phoneID != "":
		return newGraphWhatsApp(token, phoneID, env("WHATSAPP_API_URL"), c.Timeout, c.redactor(token))
	case token != "":
		// Half a configuration is almost always a mistake; silently writing to the outbox would hide it.
		return nil, errors.New("delivery: WHATSAPP_TOKEN is set but WHATSAPP_PHONE_NUMBER_ID is not")
	case phoneID != "":
		return nil, errors.New("delivery: WHATSAPP_PHONE_NUMBER_ID is set but WHATSAPP_TOKEN is not")
	}
	dir, err := outboxDir(c.DataDir, "whatsapp")
	if err != nil {
		return nil, err
	}
	return &outboxWhatsApp{dir: dir}, nil
}

func llmFromEnv(c Config, env func(string) string) (LLM, error) {
	if env("GBHOOK_LLM_URL") == "" {
		return unconfiguredLLM{}, nil
	}
	timeout := c.Timeout
	if s := env("GBHOOK_LLM_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("delivery: GBHOOK_LLM_TIMEOUT %q is not a positive duration like 60s", s)
		}
		timeout = d
	}
	key := env("GBHOOK_LLM_API_KEY")
	return newHTTPLLM(env("GBHOOK_LLM_URL"), env("GBHOOK_LLM_MODEL"), key, timeout, c.redactor(key))
}

func outboxDir(dataDir, kind string) (string, error) {
	if dataDir == "" {
		return "", fmt.Errorf("delivery: Config.DataDir is empty, so there is nowhere to put the %s outbox", kind)
	}
	return filepath.Join(dataDir, "outbox", kind), nil
}

// checkHeaderValue rejects CR and LF, which would let a script inject extra header lines.
func checkHeaderValue(field, v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("delivery: mail %s contains a line break: %q", field, v)
	}
	return nil
}

// TransientError marks a failure worth retrying later: a timeout, a network error, a rate limit or a server error.
type TransientError struct {
	Service string // "whatsapp", "smtp", "llm"
	Err     error
}

// Error reads the cause and "(transient)"; the zero value reads "delivery: temporary failure (transient)".
func (e *TransientError) Error() string {
	if e.Err == nil {
		service := e.Service
		if service == "" {
			service = "delivery"
		}
		return service + ": temporary failure (transient)"
	}
	return e.Err.Error() + " (transient)"
}

func (e *TransientError) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying: a *GraphError with Transient set, a *TransientError, or an SMTP
// 4xx reply.
func IsTransient(err error) bool {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.Transient
	}
	var te *TransientError
	if errors.As(err, &te) {
		return true
	}
	return isTempSMTPError(err)
}

// redactor is Config.Redact, or else a function that removes own, the client's credential, as written.
func (c Config) redactor(own string) func(string) string {
	if c.Redact != nil {
		return c.Redact
	}
	return func(s string) string {
		if own == "" {
			return s
		}
		return strings.ReplaceAll(s, own, "[REDACTED]")
	}
}

// redactedError prefixes and redacts the text of err but keeps it in the chain for errors.As.
type redactedError struct {
	prefix string
	err    error
	redact func(string) string
}

func (e *redactedError) Error() string { return e.redact(e.prefix + e.err.Error()) }

func (e *redactedError) Unwrap() error { return e.err }
