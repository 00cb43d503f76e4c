package simulate

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Identities used in simulated payloads (fictional, as in the test fixtures).
const (
	AccountSid    = "AC6f1c0e93b2a84d57a9e3c2b1d0f4e8a7"
	CallSid       = "CA3b9d2e7f10c84a6e95f1a2b3c4d5e6f7"
	TwilioNumber  = "+15550100123"
	CallerNumber  = "+15550100199"
	WABAID        = "104996122399160"
	PhoneNumberID = "113469798404167"
	DisplayNumber = "15550192834"
)

const formType = "application/x-www-form-urlencoded"

// TwilioCall is an incoming voice call to /twilio/voice.
func TwilioCall() Payload {
	return Payload{Path: "/twilio/voice", ContentType: formType, Sign: SignTwilio, Body: form(
		"AccountSid", AccountSid, "ApiVersion", "2010-04-01", "CallSid", CallSid,
		"CallStatus", "ringing", "Called", TwilioNumber, "Caller", CallerNumber,
		"Direction", "inbound", "From", CallerNumber, "To", TwilioNumber,
	)}
}

// TwilioGather is the <Gather> action request carrying the caller's digits.
func TwilioGather(digits string) Payload {
	return Payload{Path: "/twilio/gather", ContentType: formType, Sign: SignTwilio, Body: form(
		"AccountSid", AccountSid, "ApiVersion", "2010-04-01", "CallSid", CallSid,
		"CallStatus", "in-progress", "Digits", digits, "Direction", "inbound",
		"FinishedOnKey", "", "From", CallerNumber, "To", TwilioNumber,
	)}
}

// envelope wraps a change value the way the Cloud API does.
func envelope(value map[string]any) []byte {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]any{"display_phone_number": DisplayNumber, "phone_number_id": PhoneNumberID}
	doc := map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": WABAID, "changes": []any{map[string]any{"value": value, "field": "messages"}},
	}}}
	b, _ := json.Marshal(doc) // maps of strings cannot fail to encode
	return b
}

// WhatsAppText is one inbound text message.
func WhatsAppText(from, text string) Payload {
	id := "wamid.SIM" + strconv.FormatInt(time.Now().UnixNano(), 36)
	body := envelope(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Simulated User"}, "wa_id": from}},
		"messages": []any{map[string]any{"from": from, "id": id, "timestamp": unixNow(), "type": "text",
			"text": map[string]any{"body": text}}},
	})
	return Payload{Path: "/webhooks/whatsapp", ContentType: "application/json", Sign: SignMeta, Body: body}
}

// WhatsAppStatus is a status-only delivery (sent, delivered, read or failed).
func WhatsAppStatus(recipient, status string) (Payload, error) {
	switch status {
	case "sent", "delivered", "read", "failed":
	default:
		return Payload{}, fmt.Errorf("unknown status %q (use sent, delivered, read or failed)", status)
	}
	st := map[string]any{"id": "wamid.SIMSTATUS", "status": status, "timestamp": unixNow(), "recipient_id": recipient}
	if status == "failed" {
		st["errors"] = []any{map[string]any{"code": 131047, "title": "Re-engagement message",
			"message": "Re-engagement message", "error_data": map[string]any{"details": "More than 24 hours have passed since the recipient last replied."}}}
	}
	body := envelope(map[string]any{"statuses": []any{st}})
	return Payload{Path: "/webhooks/whatsapp", ContentType: "application/json", Sign: SignMeta, Body: body}, nil
}

// MetaVerify is the GET handshake Meta sends when a webhook is saved.
func MetaVerify(token, challenge string) Payload {
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
	return Payload{Method: "GET", Path: "/webhooks/whatsapp?" + q.Encode(), Sign: SignNone}
}
