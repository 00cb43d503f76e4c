// Package dedupe names the events of a signed webhook delivery, so that a
// redelivery of events already handled can be recognised. It knows the
// senders' payloads and headers; storing the keys is the queue's business.
// It is a leaf: it imports nothing of ours.
package dedupe

import (
	"net/http"

	"github.com/tidwall/gjson"
)

// TwilioHeader carries Twilio's per-request idempotency token; a retried
// request repeats it.
const TwilioHeader = "I-Twilio-Idempotency-Token"

// Twilio gives the key of a Twilio request, or nil when it carries no token.
func Twilio(h http.Header) []string {
	if t := h.Get(TwilioHeader); t != "" {
		return []string{"twilio:" + t}
	}
	return nil
}

// WhatsApp gives one key per event of a Meta WhatsApp delivery: each message
// by its id, and each status by its id together with the status (one message
// has several statuses: sent, delivered, read). Events without an id are not
// keyed. An unreadable body gives nil: it is then never deduplicated.
func WhatsApp(body []byte) []string {
	if !gjson.ValidBytes(body) {
		return nil
	}
	var keys []string
	gjson.GetBytes(body, "entry").ForEach(func(_, entry gjson.Result) bool {
		entry.Get("changes").ForEach(func(_, change gjson.Result) bool {
			v := change.Get("value")
			v.Get("messages").ForEach(func(_, m gjson.Result) bool {
				if id := m.Get("id"); id.Type == gjson.String && id.Str != "" {
					keys = append(keys, "wa:msg:"+id.Str)
				}
				return true
			})
			v.Get("statuses").ForEach(func(_, s gjson.Result) bool {
				id, st := s.Get("id"), s.Get("status")
				if id.Type == gjson.String && id.Str != "" {
					keys = append(keys, "wa:status:"+id.Str+":"+st.String())
				}
				return true
			})
			return true
		})
		return true
	})
	return keys
}
