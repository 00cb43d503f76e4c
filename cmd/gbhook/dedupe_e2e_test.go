package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery/deliverytest"
	"github.com/gbhook/gbhook/runtime/signature"
)

// waMessage is one inbound text message event.
func waMessage(id, text string) string {
	return `{"from":"447700900123","id":"` + id + `","timestamp":"1764000000","type":"text","text":{"body":"` + text + `"}}`
}

// waDelivery wraps message events the way Meta does.
func waDelivery(messages ...string) string {
	return `{"object":"whatsapp_business_account","entry":[{"id":"104996122399160","changes":[{"value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550192834","phone_number_id":"113469798404167"},` +
		`"messages":[` + strings.Join(messages, ",") + `]},"field":"messages"}]}]}`
}

// reserialised is the same delivery as Meta sometimes resends it: the same
// events, other bytes (key order, spacing).
func reserialised(id, text string) string {
	return `{ "entry": [ { "changes": [ { "field": "messages", "value": { "messages": [ { "type": "text", ` +
		`"text": { "body": "` + text + `" }, "timestamp": "1764000000", "id": "` + id + `", "from": "447700900123" } ], ` +
		`"metadata": { "phone_number_id": "113469798404167", "display_phone_number": "15550192834" }, ` +
		`"messaging_product": "whatsapp" } } ], "id": "104996122399160" } ], "object": "whatsapp_business_account" }`
}

func postWhatsApp(t *testing.T, p *server, body string) {
	t.Helper()
	h := http.Header{"X-Hub-Signature-256": {signature.MetaSign(metaSecret, []byte(body))}}
	status, got, err := send("POST", "http://"+p.addr+"/webhooks/whatsapp", "application/json", body, h)
	if err != nil || status != 200 {
		t.Fatalf("webhook: %d %q %v", status, got, err)
	}
}

// Acceptance 5: a signed route runs each event once, however often and in
// whatever bytes it is delivered; one new event makes the delivery run.
func TestWhatsAppRedeliveriesRunOnce(t *testing.T) {
	g := deliverytest.NewGraph(t)
	env := graphEnv(g)
	env["META_APP_SECRET"] = metaSecret
	srv := startServe(t, env)
	sends := func(want int) {
		t.Helper()
		g.WaitFor(want, 10*time.Second)
		time.Sleep(700 * time.Millisecond) // an unwanted send would arrive by now
		if got := len(g.Requests()); got != want {
			t.Fatalf("Graph API got %d sends, want %d; logs:\n%s", got, want, tail(srv.logs.String(), 30))
		}
	}
	same := waDelivery(waMessage("wamid.A", "one"))
	postWhatsApp(t, srv, same)
	postWhatsApp(t, srv, same)
	sends(1)

	postWhatsApp(t, srv, waDelivery(waMessage("wamid.B", "two")))
	postWhatsApp(t, srv, reserialised("wamid.B", "two"))
	sends(2)

	postWhatsApp(t, srv, waDelivery(waMessage("wamid.A", "one"), waMessage("wamid.C", "three")))
	sends(4) // the handler ran again: both messages' replies

	if n := strings.Count(srv.logs.String(), `msg="duplicate delivery: every event was handled before; not run"`); n != 2 {
		t.Errorf("%d duplicates logged, want 2", n)
	}
}

// A Twilio request repeated with the same I-Twilio-Idempotency-Token sends
// one mail; another token sends another.
func TestTwilioRetryRunsOnce(t *testing.T) {
	mail := deliverytest.NewSMTP(t, "gbhook", smtpPass)
	srv := startServe(t, map[string]string{
		"TWILIO_AUTH_TOKEN": twilioToken, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.Port,
		"SMTP_TLS": "none", "SMTP_USERNAME": "gbhook", "SMTP_PASSWORD": smtpPass,
		"MAIL_FROM": "gbhook@example.com", "NOTIFY_EMAIL": "owner@example.com",
	})
	gather := func(token string) {
		t.Helper()
		form := url.Values{"Digits": {"482913"}, "CallSid": {"CA1"}}
		u := "http://" + srv.addr + "/twilio/gather"
		h := http.Header{"X-Twilio-Signature": {signature.TwilioSign(twilioToken, u, form)},
			"I-Twilio-Idempotency-Token": {token}}
		status, body, err := send("POST", u, "application/x-www-form-urlencoded", form.Encode(), h)
		if err != nil || status != 200 {
			t.Fatalf("gather: %d %q %v", status, body, err)
		}
	}
	mails := func(want int) {
		t.Helper()
		mail.WaitFor(want, 5*time.Second)
		time.Sleep(500 * time.Millisecond)
		if got := len(mail.Received()); got != want {
			t.Fatalf("%d mails, want %d; logs:\n%s", got, want, tail(srv.logs.String(), 20))
		}
	}
	gather("a1b2c3-token")
	gather("a1b2c3-token")
	mails(1)
	gather("other-token")
	mails(2)
}
