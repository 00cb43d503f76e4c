package builtins

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
)

// A script's SEND WHATSAPP TEMPLATE reaches a real Graph stand-in with the
// documented body, and a Graph error is positioned at the statement with its
// classification kept.
func TestSendWhatsAppTemplateThroughGraph(t *testing.T) {
	fixture, err := os.ReadFile("../testdata/fixtures/graph-send-template-request.json")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, fixture); err != nil {
		t.Fatal(err)
	}
	g := deliverytest.NewGraph(t, deliverytest.Reply{Status: 200, Body: `{"messages":[{"id":"wamid.T1"}]}`},
		deliverytest.Reply{Status: 400, Body: `{"error":{"message":"(#131047) Re-engagement message","code":131047}}`},
		deliverytest.Reply{Status: 400, Body: `{"error":{"message":"(#130429) Rate limit hit","code":130429}}`})
	env := map[string]string{"WHATSAPP_TOKEN": "tok", "WHATSAPP_PHONE_NUMBER_ID": "113469798404167", "WHATSAPP_API_URL": g.URL}
	_, wa, _, err := delivery.FromEnv(delivery.Config{Getenv: func(k string) string { return env[k] }, DataDir: t.TempDir(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	src := "SUB NOTIFY(NAME$)\n  SEND WHATSAPP TEMPLATE TO \"447700900123\" WITH \"order_update\", \"pt_BR\", NAME$, \"#1042 <shipped> & \"\"on its way\"\"\"\nEND SUB\n"
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
	if err != nil {
		t.Fatal(err)
	}
	ge := newGoldenEnv(t, nil)
	m, err := runtime.New(prog, Registry(Deps{WhatsApp: wa, Logger: ge.logger}), ge.options())
	if err != nil {
		t.Fatal(err)
	}
	job := runtime.Job{Sub: "NOTIFY", Args: []runtime.Value{runtime.Str("Ana")}}
	if _, err := m.RunSub(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if got := g.Requests()[0].Body; !bytes.Equal(got, want.Bytes()) {
		t.Errorf("body\n%s\nwant\n%s", got, want.Bytes())
	}
	tests := []struct {
		want      string
		transient bool
	}{
		{"t.bas:2:3: SEND WHATSAPP TEMPLATE: whatsapp: graph error 131047: (#131047) Re-engagement message", false},
		{"t.bas:2:3: SEND WHATSAPP TEMPLATE: whatsapp: graph error 130429: (#130429) Rate limit hit", true},
	}
	for _, tc := range tests {
		_, err := m.RunSub(context.Background(), job)
		if err == nil || err.Error() != tc.want || delivery.IsTransient(err) != tc.transient {
			t.Errorf("err = %v (transient %v), want %q (transient %v)", err, delivery.IsTransient(err), tc.want, tc.transient)
		}
	}
}
