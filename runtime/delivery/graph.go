package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	graphHost       = "graph.facebook.com"
	graphAPIVersion = "v25.0" // pinned: a Graph API version lives about two years; bump it deliberately
	// DefaultGraphAPIURL is used when WHATSAPP_API_URL is unset.
	DefaultGraphAPIURL = "https://" + graphHost + "/" + graphAPIVersion

	// MaxWhatsAppText is the Cloud API's limit on a text message body, in characters (runes).
	MaxWhatsAppText = 4096

	maxGraphResponse = 64 << 10 // a send answer is a few hundred bytes; anything huge is not the Graph API
)

// GraphError is an error answer from the Graph API. Transient tells whether a retry later may succeed; it is decided
// by Code (Meta: "build your app's error handling logic around code values"), not by HTTPStatus.
type GraphError struct {
	Code, Subcode, HTTPStatus int
	Message                   string
	Transient                 bool
}

func (e *GraphError) Error() string {
	switch {
	case e.Code == 0:
		return "whatsapp: graph API: " + e.Message // usually no Graph error object, e.g. a proxy's 502 page
	case e.Subcode != 0:
		return fmt.Sprintf("whatsapp: graph error %d (subcode %d): %s", e.Code, e.Subcode, e.Message)
	default:
		return fmt.Sprintf("whatsapp: graph error %d: %s", e.Code, e.Message)
	}
}

// Graph error codes that mean "back off and retry": app and WABA call limits, throughput, per-recipient pair rate.
var transientGraphCodes = map[int]bool{4: true, 80007: true, 130429: true, 131056: true}

// Graph error codes that stay permanent even on a 5xx: auth, invalid parameter, undeliverable, 24-hour window.
var permanentGraphCodes = map[int]bool{0: true, 190: true, 100: true, 131026: true, 131047: true}

func graphTransient(code, status int, hasCode bool) bool {
	switch {
	case hasCode && transientGraphCodes[code]:
		return true
	case status >= 500:
		return !hasCode || !permanentGraphCodes[code]
	case status == http.StatusTooManyRequests:
		return !hasCode
	}
	return false
}

// graphWhatsApp sends text messages with the WhatsApp Cloud API.
type graphWhatsApp struct {
	endpoint string // {WHATSAPP_API_URL}/{phone_number_id}/messages
	host     string
	token    string
	timeout  time.Duration
	client   *http.Client
	redact   func(string) string
}

func newGraphWhatsApp(token, phoneID, apiURL string, timeout time.Duration, redact func(string) string) (*graphWhatsApp, error) {
	if apiURL == "" {
		apiURL = DefaultGraphAPIURL
	}
	u, err := parseHTTPURL(apiURL)
	if err != nil {
		return nil, fmt.Errorf("delivery: WHATSAPP_API_URL: %w", err)
	}
	endpoint := strings.TrimRight(apiURL, "/") + "/" + url.PathEscape(phoneID) + "/messages"
	return &graphWhatsApp{endpoint: endpoint, host: u.Host, token: token, timeout: timeout,
		client: newHTTPClient(), redact: redact}, nil
}

// SendText posts one text message. where names the host and the new message's wamid.
func (g *graphWhatsApp) SendText(ctx context.Context, to, text string) (string, error) {
	where := "whatsapp " + g.host
	body, err := textRequestBody(to, text)
	if err != nil {
		return where, err
	}
	return g.send(ctx, body)
}

// send posts one message body (text or template) and classifies the answer.
func (g *graphWhatsApp) send(ctx context.Context, body []byte) (string, error) {
	where := "whatsapp " + g.host
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.endpoint, bytes.NewReader(body))
	if err != nil {
		return where, fmt.Errorf("whatsapp: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return where, &TransientError{Service: "whatsapp",
			Err: &redactedError{prefix: "whatsapp: ", err: err, redact: g.redact}}
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp.Body, maxGraphResponse)
	if err != nil {
		return where, g.readError(err)
	}
	id, err := parseGraphResponse(resp.StatusCode, raw, g.redact)
	if err != nil {
		return where, err
	}
	return strings.TrimSpace(where + " " + id), nil
}

func (g *graphWhatsApp) readError(err error) error {
	e := &redactedError{prefix: "whatsapp: reading response: ", err: err, redact: g.redact}
	if errors.Is(err, errTooLarge) {
		return e
	}
	return &TransientError{Service: "whatsapp", Err: e}
}

// parseGraphResponse returns the new message id, or a *GraphError for an error answer.
func parseGraphResponse(status int, raw []byte, redact func(string) string) (string, error) {
	var env struct {
		Error *struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
			Subcode int    `json:"error_subcode"`
		} `json:"error"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(raw, &env) // a proxy's HTML error page is not JSON; the status still tells
	if env.Error == nil && status/100 == 2 {
		if len(env.Messages) > 0 {
			return env.Messages[0].ID, nil
		}
		return "", nil // accepted; a missing id is no reason to send the message twice
	}
	ge := &GraphError{HTTPStatus: status}
	if env.Error != nil {
		ge.Code, ge.Subcode, ge.Message = env.Error.Code, env.Error.Subcode, env.Error.Message
	} else {
		ge.Message = httpStatusText(status, raw)
	}
	ge.Message = redact(ge.Message)
	ge.Transient = graphTransient(ge.Code, status, env.Error != nil)
	return "", ge
}

// textRequest is the Cloud API body for a text message (protocols.md 3.1).
type textRequest struct {
	MessagingProduct string   `json:"messaging_product"`
	RecipientType    string   `json:"recipient_type"`
	To               string   `json:"to"`
	Type             string   `json:"type"`
	Text             textBody `json:"text"`
}

type textBody struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

// textRequestBody validates a text message and encodes the exact bytes the Graph client posts and the outbox stores.
func textRequestBody(to, text string) ([]byte, error) {
	to = strings.TrimSpace(to)
	if to == "" {
		return nil, errors.New("whatsapp: recipient is empty")
	}
	if text == "" {
		return nil, errors.New("whatsapp: text is empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxWhatsAppText {
		return nil, fmt.Errorf("whatsapp: text is %d characters, over the limit of %d", n, MaxWhatsAppText)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" and "&" are common in messages; \u003c is valid but needlessly unreadable
	err := enc.Encode(textRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: "text",
		Text: textBody{Body: text}})
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// HTTP helpers shared with the LLM client.

var errTooLarge = errors.New("response too large")

// readCapped reads at most limit bytes and fails if there are more, so a broken server cannot exhaust memory.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w (over %d bytes)", errTooLarge, limit)
	}
	return raw, nil
}

// httpStatusText describes a non-JSON error answer: the status and the start of the body.
func httpStatusText(status int, raw []byte) string {
	s := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	body := strings.ToValidUTF8(strings.Join(strings.Fields(string(raw)), " "), "?")
	if len(body) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut] + "…"
	}
	if body != "" {
		s += ": " + body
	}
	return s
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", s)
	}
	return u, nil
}

// newHTTPClient has no overall Timeout: each call bounds itself with a context deadline instead.
func newHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}
