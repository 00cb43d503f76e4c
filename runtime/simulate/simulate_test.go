package simulate

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gbhook/gbhook/runtime/signature"
)

// verifier is a stand-in server that checks signatures exactly as gbhook does.
func verifier(t *testing.T, publicURL string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var err error
		switch {
		case r.Header.Get("X-Twilio-Signature") != "":
			u := signature.TwilioURL(publicURL, "http", r.Host, r.RequestURI)
			err = signature.VerifyTwilio("tok", u, r.Header.Get("Content-Type"), body, r.Header.Get("X-Twilio-Signature"))
		case r.Header.Get("X-Hub-Signature-256") != "":
			err = signature.VerifyMeta("sec", body, r.Header.Get("X-Hub-Signature-256"))
		}
		if err != nil {
			http.Error(w, err.Error(), 403)
			return
		}
		_, _ = w.Write([]byte(r.Method + " " + r.URL.Path))
	}))
}

func TestPayloadsVerify(t *testing.T) {
	status, _ := WhatsAppStatus("551", "read")
	json := Payload{Path: "/j", ContentType: "application/json", Body: []byte(`{"a":1}`), Sign: SignTwilio}
	tests := []struct {
		name      string
		publicURL string // as the user wrote it
		serverURL string // as the server holds it, normalised
		slash     string // appended to the address simulate connects to
		p         Payload
		want      string
	}{
		{"twilio call", "", "", "", TwilioCall(), "POST /twilio/voice"},
		{"twilio gather behind a public URL", "https://hooks.example.com", "https://hooks.example.com", "",
			TwilioGather("42"), "POST /twilio/gather"},
		{"public URL with a trailing slash", "https://hooks.example.com/pre/", "https://hooks.example.com/pre", "",
			TwilioGather("42"), "POST /twilio/gather"},
		{"server URL with a trailing slash", "", "", "/", TwilioCall(), "POST /twilio/voice"},
		{"twilio JSON body", "", "", "", json, "POST /j"},
		{"twilio JSON body behind a public URL with a trailing slash", "https://h.example/", "https://h.example", "",
			json, "POST /j"},
		{"whatsapp text", "", "", "", WhatsAppText("551", "hi"), "POST /webhooks/whatsapp"},
		{"whatsapp status", "", "", "", status, "POST /webhooks/whatsapp"},
		{"meta verify", "", "", "", MetaVerify("t", "1"), "GET /webhooks/whatsapp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := verifier(t, tt.serverURL)
			defer srv.Close()
			target := Target{BaseURL: srv.URL + tt.slash, PublicURL: tt.publicURL, TwilioToken: "tok", MetaSecret: "sec"}
			res, err := target.Send(context.Background(), tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != 200 || res.Body != tt.want {
				t.Errorf("got %d %q, want 200 %q", res.Status, res.Body, tt.want)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		p      Payload
		want   string
	}{
		{"no twilio token", Target{BaseURL: "http://127.0.0.1:1"}, TwilioCall(), "set TWILIO_AUTH_TOKEN to sign Twilio requests"},
		{"no meta secret", Target{BaseURL: "http://127.0.0.1:1"}, WhatsAppText("1", "x"), "set META_APP_SECRET to sign Meta requests"},
		{"unknown scheme", Target{BaseURL: "http://127.0.0.1:1"}, Payload{Path: "/", Sign: "slack"}, `unknown signing scheme "slack" (use twilio, meta or none)`},
		{"malformed form", Target{BaseURL: "http://127.0.0.1:1", TwilioToken: "t"}, Payload{Path: "/", Sign: SignTwilio, Body: []byte("a=%zz")}, `malformed form body: invalid URL escape "%zz"`},
		{"bad public URL", Target{BaseURL: "http://127.0.0.1:1", PublicURL: "hooks.example.com", TwilioToken: "t"}, TwilioCall(),
			`public URL "hooks.example.com" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"public URL with a query", Target{BaseURL: "http://127.0.0.1:1", PublicURL: "https://h.example/?a=1", TwilioToken: "t"}, TwilioCall(),
			`public URL "https://h.example/?a=1" must not have a query or fragment`},
		{"bad server URL", Target{BaseURL: "127.0.0.1:3000"}, MetaVerify("t", "1"),
			`server URL "127.0.0.1:3000" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"no server URL", Target{}, MetaVerify("t", "1"), "no server URL to send to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.target.Send(context.Background(), tt.p)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := WhatsAppStatus("1", "lost"); err == nil || err.Error() != `unknown status "lost" (use sent, delivered, read or failed)` {
		t.Errorf("status err = %v", err)
	}
}
