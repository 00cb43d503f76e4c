// Package simulate builds realistic, correctly signed Twilio and Meta webhook
// requests and sends them to a running gbhook, so that nobody hand-computes a
// signature again. It signs exactly as the server verifies (package signature).
package simulate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gbhook/gbhook/runtime/signature"
)

// Target says where requests go and how they are signed.
type Target struct {
	BaseURL     string // where to connect, e.g. http://127.0.0.1:3000
	PublicURL   string // GBHOOK_PUBLIC_URL of the server, if set: the URL Twilio signs
	TwilioToken string // TWILIO_AUTH_TOKEN
	MetaSecret  string // META_APP_SECRET
	Client      *http.Client
}

// Result is what the server answered.
type Result struct {
	Status int
	Header http.Header
	Body   string
}

// Sign schemes for Send.
const (
	SignNone   = "none"
	SignTwilio = "twilio"
	SignMeta   = "meta"
)

// Payload is one request to send: path (with any query), body and how to sign.
type Payload struct {
	Method      string
	Path        string
	ContentType string
	Body        []byte
	Sign        string
}

// Send signs p and sends it, returning the server's answer.
func (t Target) Send(ctx context.Context, p Payload) (*Result, error) {
	if p.Method == "" {
		p.Method = http.MethodPost
	}
	base, err := signature.ParsePublicURL(t.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("server URL %w", err)
	}
	if base == "" {
		return nil, errors.New("no server URL to send to")
	}
	path, header, err := t.sign(&p, base)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, p.Method, base+path, bytes.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	if p.ContentType != "" {
		req.Header.Set("Content-Type", p.ContentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return &Result{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, nil
}

// sign returns the path to request (Twilio JSON signing adds bodySHA256) and
// the signature headers. base is the normalised BaseURL.
func (t Target) sign(p *Payload, base string) (string, http.Header, error) {
	h := http.Header{}
	switch p.Sign {
	case "", SignNone:
		return p.Path, h, nil
	case SignMeta:
		if t.MetaSecret == "" {
			return "", nil, errors.New("set META_APP_SECRET to sign Meta requests")
		}
		h.Set("X-Hub-Signature-256", signature.MetaSign(t.MetaSecret, p.Body))
		return p.Path, h, nil
	case SignTwilio:
		if t.TwilioToken == "" {
			return "", nil, errors.New("set TWILIO_AUTH_TOKEN to sign Twilio requests")
		}
		// The server signs GBHOOK_PUBLIC_URL when it has one, else where we connect.
		signed, err := signature.ParsePublicURL(t.PublicURL)
		if err != nil {
			return "", nil, fmt.Errorf("public URL %w", err)
		}
		if signed == "" {
			signed = base
		}
		if strings.HasPrefix(p.ContentType, "application/x-www-form-urlencoded") || p.ContentType == "" {
			form, err := signature.ParseForm(p.Body)
			if err != nil {
				return "", nil, err
			}
			h.Set("X-Twilio-Signature", signature.TwilioSign(t.TwilioToken, signed+p.Path, form))
			return p.Path, h, nil
		}
		full, sig := signature.TwilioSignJSON(t.TwilioToken, signed+p.Path, p.Body)
		h.Set("X-Twilio-Signature", sig)
		return strings.TrimPrefix(full, signed), h, nil
	}
	return "", nil, fmt.Errorf("unknown signing scheme %q (use twilio, meta or none)", p.Sign)
}

// form encodes params in the given order, as Twilio does (unsorted on the wire).
func form(pairs ...string) []byte {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]) + "=" + url.QueryEscape(pairs[i+1]))
	}
	return []byte(b.String())
}

// unixNow is the WhatsApp timestamp form: a string of unix seconds.
func unixNow() string { return strconv.FormatInt(time.Now().Unix(), 10) }
