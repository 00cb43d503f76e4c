package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Template is an approved WhatsApp message template: the only kind of message
// Meta delivers outside the 24-hour customer-service window.
type Template struct {
	Name     string   // the approved template's name
	Language string   // its language code, e.g. pt_BR
	Params   []string // the body's {{1}}, {{2}}... in order
}

// WhatsAppTemplates sends templates. The Graph and outbox senders both
// implement it; errors are classified as for SendText.
type WhatsAppTemplates interface {
	SendTemplate(ctx context.Context, to string, t Template) (where string, err error)
}

// SendTemplate posts one template message (protocols.md 3.1).
func (g *graphWhatsApp) SendTemplate(ctx context.Context, to string, t Template) (string, error) {
	body, err := templateRequestBody(to, t)
	if err != nil {
		return "whatsapp " + g.host, err
	}
	return g.send(ctx, body)
}

// SendTemplate validates the template like the Graph client does and writes
// its request body to the outbox.
func (o *outboxWhatsApp) SendTemplate(ctx context.Context, to string, t Template) (string, error) {
	return o.write(ctx, func() ([]byte, error) { return templateRequestBody(to, t) })
}

// templateRequest is the Cloud API body for a template message.
type templateRequest struct {
	MessagingProduct string       `json:"messaging_product"`
	RecipientType    string       `json:"recipient_type"`
	To               string       `json:"to"`
	Type             string       `json:"type"`
	Template         templateBody `json:"template"`
}

type templateBody struct {
	Name       string              `json:"name"`
	Language   templateLanguage    `json:"language"`
	Components []templateComponent `json:"components,omitempty"` // omitted without parameters
}

type templateLanguage struct {
	Code string `json:"code"`
}

type templateComponent struct {
	Type       string          `json:"type"`
	Parameters []templateParam `json:"parameters"`
}

type templateParam struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// templateRequestBody validates a template message and encodes the exact bytes
// the Graph client posts and the outbox stores.
func templateRequestBody(to string, t Template) ([]byte, error) {
	to = strings.TrimSpace(to)
	switch {
	case to == "":
		return nil, errors.New("whatsapp: recipient is empty")
	case strings.TrimSpace(t.Name) == "":
		return nil, errors.New("whatsapp: template name is empty")
	case strings.TrimSpace(t.Language) == "":
		return nil, errors.New("whatsapp: template language is empty")
	}
	req := templateRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: "template",
		Template: templateBody{Name: strings.TrimSpace(t.Name), Language: templateLanguage{Code: strings.TrimSpace(t.Language)}}}
	if len(t.Params) > 0 {
		c := templateComponent{Type: "body"}
		for i, p := range t.Params {
			if p == "" {
				return nil, fmt.Errorf("whatsapp: template parameter %d is empty", i+1)
			}
			c.Parameters = append(c.Parameters, templateParam{Type: "text", Text: p})
		}
		req.Template.Components = []templateComponent{c}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(req); err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
