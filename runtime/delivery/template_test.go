package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

const (
	tplToken   = "EAAGtestTOKENnotREAL0123456789"
	tplPhoneID = "113469798404167"
)

// fixtureCompact is a fixture's JSON in compact form, the exact bytes a send posts.
func fixtureCompact(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func templateSender(t *testing.T, env map[string]string) delivery.WhatsAppTemplates {
	t.Helper()
	data := env["DATA"]
	if data == "" {
		data = t.TempDir() // the mail outbox still needs a place
	}
	_, wa, _, err := delivery.FromEnv(delivery.Config{Getenv: func(k string) string { return env[k] },
		DataDir: data, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts, ok := wa.(delivery.WhatsAppTemplates)
	if !ok {
		t.Fatalf("%T cannot send templates", wa)
	}
	return ts
}

var (
	orderUpdate = delivery.Template{Name: "order_update", Language: "pt_BR", Params: []string{"Ana", `#1042 <shipped> & "on its way"`}}
	helloWorld  = delivery.Template{Name: "hello_world", Language: "en_US"}
)

// The body posted to the Graph API is the documented one, byte for byte.
func TestSendTemplateBody(t *testing.T) {
	g := deliverytest.NewGraph(t)
	wa := templateSender(t, map[string]string{"WHATSAPP_TOKEN": tplToken, "WHATSAPP_PHONE_NUMBER_ID": tplPhoneID,
		"WHATSAPP_API_URL": g.URL + "/v25.0"})
	tests := []struct {
		name    string
		tpl     delivery.Template
		fixture string
	}{
		{"with parameters", orderUpdate, "graph-send-template-request.json"},
		{"without parameters components is omitted", helloWorld, "graph-send-template-noparams-request.json"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			where, err := wa.SendTemplate(context.Background(), "447700900123", tc.tpl)
			if err != nil {
				t.Fatal(err)
			}
			if want := "whatsapp " + g.Listener.Addr().String() + " wamid.TEST"; where != want {
				t.Errorf("where = %q, want %q", where, want)
			}
			r := g.Requests()[i]
			if r.Method != "POST" || r.Path != "/v25.0/"+tplPhoneID+"/messages" || r.Authorization != "Bearer "+tplToken ||
				r.ContentType != "application/json" {
				t.Errorf("request %+v", r)
			}
			if want := fixtureCompact(t, tc.fixture); !bytes.Equal(r.Body, want) {
				t.Errorf("body\n%s\nwant\n%s", r.Body, want)
			}
		})
	}
}

// Errors are classified as for text messages: decided by the Graph error code.
func TestSendTemplateErrors(t *testing.T) {
	tests := []struct {
		name      string
		reply     deliverytest.Reply
		want      string
		transient bool
	}{
		{"131047 re-engagement is permanent", deliverytest.Reply{Status: 400,
			Body: `{"error":{"message":"(#131047) Re-engagement message","code":131047}}`},
			"whatsapp: graph error 131047: (#131047) Re-engagement message", false},
		{"190 expired token is permanent", deliverytest.Reply{Status: 401,
			Body: `{"error":{"message":"Error validating access token","code":190,"error_subcode":463}}`},
			"whatsapp: graph error 190 (subcode 463): Error validating access token", false},
		{"130429 throughput is transient", deliverytest.Reply{Status: 400,
			Body: `{"error":{"message":"(#130429) Rate limit hit","code":130429}}`},
			"whatsapp: graph error 130429: (#130429) Rate limit hit", true},
		{"132001 template does not exist is permanent", deliverytest.Reply{Status: 404,
			Body: `{"error":{"message":"(#132001) Template name does not exist in the translation","code":132001}}`},
			"whatsapp: graph error 132001: (#132001) Template name does not exist in the translation", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := deliverytest.NewGraph(t, tc.reply)
			wa := templateSender(t, map[string]string{"WHATSAPP_TOKEN": tplToken, "WHATSAPP_PHONE_NUMBER_ID": tplPhoneID,
				"WHATSAPP_API_URL": g.URL})
			_, err := wa.SendTemplate(context.Background(), "447700900123", orderUpdate)
			if err == nil || err.Error() != tc.want || delivery.IsTransient(err) != tc.transient {
				t.Fatalf("err = %v (transient %v), want %q (transient %v)", err, delivery.IsTransient(err), tc.want, tc.transient)
			}
		})
	}
}

// Unconfigured, the outbox stores the body the Graph client would send.
func TestSendTemplateOutbox(t *testing.T) {
	dir := t.TempDir()
	wa := templateSender(t, map[string]string{"DATA": dir})
	where, err := wa.SendTemplate(context.Background(), "447700900123", orderUpdate)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(where)))
	if err != nil {
		t.Fatal(err)
	}
	if want := fixtureCompact(t, "graph-send-template-request.json"); !bytes.Equal(got, want) {
		t.Errorf("outbox file\n%s\nwant\n%s", got, want)
	}
}

func TestSendTemplateValidation(t *testing.T) {
	wa := templateSender(t, map[string]string{"DATA": t.TempDir()})
	tests := []struct {
		name, to string
		tpl      delivery.Template
		want     string
	}{
		{"no recipient", " ", helloWorld, "whatsapp: recipient is empty"},
		{"no name", "1", delivery.Template{Language: "en"}, "whatsapp: template name is empty"},
		{"no language", "1", delivery.Template{Name: "x"}, "whatsapp: template language is empty"},
		{"empty parameter", "1", delivery.Template{Name: "x", Language: "en", Params: []string{"a", ""}}, "whatsapp: template parameter 2 is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := wa.SendTemplate(context.Background(), tc.to, tc.tpl)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
