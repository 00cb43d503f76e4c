package server

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/secret"
	"github.com/gbhook/gbhook/runtime/signature"
)

const signedSrc = `ON WEBHOOK POST TO "/voice" FROM TWILIO DO
  MARK 1
  PRINT "hi "; GET FORM VALUE("From")
END ON
ON WEBHOOK POST TO "/wa" FROM WHATSAPP DO
  MARK 1
  PRINT "wa ok"
END ON
`

const (
	token     = "twilio-test-token"
	appSecret = "meta-test-secret"
	formBody  = "From=%2B15551234567&CallSid=CA1&Digits=1"
	metaBody  = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}`
)

// twilioReq is a form POST to /voice?x=1 signed for signedURL with key.
func twilioReq(key, signedURL, body string) *http.Request {
	r := httptest.NewRequest("POST", "/voice?x=1", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	params, _ := url.ParseQuery(body)
	r.Header.Set("X-Twilio-Signature", signature.TwilioSign(key, signedURL, params))
	return r
}

func metaReq(key, body string) *http.Request {
	r := httptest.NewRequest("POST", "/wa", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Hub-Signature-256", signature.MetaSign(key, []byte(body)))
	return r
}

func TestSignatures(t *testing.T) {
	secrets := env(TwilioSecretEnv, token, MetaSecretEnv, appSecret)
	const local = "http://example.com/voice?x=1"
	tests := []struct {
		name      string
		publicURL string
		getenv    func(string) string
		req       func() *http.Request
		status    int
		body      string
		ran       bool
	}{
		{"twilio valid", "", secrets, func() *http.Request { return twilioReq(token, local, formBody) },
			200, "hi +15551234567", true},
		{"twilio valid for the public URL", "https://hooks.example.com/pre", secrets,
			func() *http.Request { return twilioReq(token, "https://hooks.example.com/pre/voice?x=1", formBody) },
			200, "hi +15551234567", true},
		{"twilio local URL refused when a public URL is set", "https://hooks.example.com", secrets,
			func() *http.Request { return twilioReq(token, local, formBody) }, 403, "forbidden", false},
		{"X-Forwarded-Proto from an untrusted peer ignored", "", secrets, func() *http.Request {
			r := twilioReq(token, "https://example.com/voice?x=1", formBody)
			r.Header.Set("X-Forwarded-Proto", "https")
			return r
		}, 403, "forbidden", false},
		{"twilio wrong token", "", secrets, func() *http.Request { return twilioReq("other", local, formBody) },
			403, "forbidden", false},
		{"twilio header missing", "", secrets, func() *http.Request {
			r := twilioReq(token, local, formBody)
			r.Header.Del("X-Twilio-Signature")
			return r
		}, 403, "forbidden", false},
		{"twilio body changed after signing", "", secrets, func() *http.Request {
			r := twilioReq(token, local, formBody)
			r2 := twilioReq(token, local, formBody+"&Digits=2")
			r2.Header.Set("X-Twilio-Signature", r.Header.Get("X-Twilio-Signature"))
			return r2
		}, 403, "forbidden", false},
		{"twilio malformed form", "", secrets, func() *http.Request { return twilioReq(token, local, "From=%zz") },
			400, "bad request", false},
		{"twilio token unset", "", env(MetaSecretEnv, appSecret),
			func() *http.Request { return twilioReq(token, local, formBody) },
			503, "service unavailable: TWILIO_AUTH_TOKEN is not set", false},
		{"meta valid", "", secrets, func() *http.Request { return metaReq(appSecret, metaBody) }, 200, "wa ok", true},
		{"meta wrong secret", "", secrets, func() *http.Request { return metaReq("other", metaBody) },
			403, "forbidden", false},
		{"meta legacy sha1 only", "", secrets, func() *http.Request {
			r := metaReq(appSecret, metaBody)
			r.Header.Del("X-Hub-Signature-256")
			mac := hmac.New(sha1.New, []byte(appSecret))
			mac.Write([]byte(metaBody))
			r.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(mac.Sum(nil)))
			return r
		}, 403, "forbidden", false},
		{"meta body re-serialised", "", secrets, func() *http.Request {
			r := metaReq(appSecret, metaBody)
			r2 := metaReq(appSecret, strings.ReplaceAll(metaBody, `":"`, `": "`))
			r2.Header.Set("X-Hub-Signature-256", r.Header.Get("X-Hub-Signature-256"))
			return r2
		}, 403, "forbidden", false},
		{"meta secret unset", "", env(TwilioSecretEnv, token), func() *http.Request { return metaReq(appSecret, metaBody) },
			503, "service unavailable: META_APP_SECRET is not set", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{PublicURL: tc.publicURL, Getenv: tc.getenv}, signedSrc, runtime.Options{})
			status, body, _ := h.do(tc.req())
			if status != tc.status || body != tc.body {
				t.Errorf("got %d %q, want %d %q", status, body, tc.status, tc.body)
			}
			if ran := h.f.marks.Load() > 0; ran != tc.ran {
				t.Errorf("handler ran = %v, want %v", ran, tc.ran)
			}
			for _, secret := range []string{token, appSecret} {
				if strings.Contains(h.logs.String(), secret) {
					t.Errorf("log contains a secret:\n%s", h.logs)
				}
			}
		})
	}
}

// The secret is read at request time: setting it later heals the route.
func TestSecretReadPerRequest(t *testing.T) {
	vals := map[string]string{}
	h := newHarness(t, Config{Getenv: func(k string) string { return vals[k] }}, signedSrc, runtime.Options{})
	if status, _, _ := h.do(metaReq(appSecret, metaBody)); status != 503 {
		t.Fatalf("unset secret: got %d, want 503", status)
	}
	vals[MetaSecretEnv] = appSecret
	if status, body, _ := h.do(metaReq(appSecret, metaBody)); status != 200 || body != "wa ok" {
		t.Errorf("after setting the secret: got %d %q", status, body)
	}
}

func TestSwapLogsMissingSecrets(t *testing.T) {
	h := newHarness(t, Config{Getenv: env(MetaSecretEnv, appSecret)}, signedSrc, runtime.Options{})
	log := h.logs.String()
	if n := strings.Count(log, "route will answer 503"); n != 1 {
		t.Errorf("got %d missing-secret lines, want 1:\n%s", n, log)
	}
	for _, want := range []string{`route="POST /voice FROM TWILIO t.bas:1"`, "env=TWILIO_AUTH_TOKEN"} {
		if !strings.Contains(log, want) {
			t.Errorf("missing-secret line lacks %s:\n%s", want, log)
		}
	}
}

// The variables the FROM clauses read are secrets in the one list that GET
// ENV refuses and redaction hides.
func TestFromSecretsAreSecretVars(t *testing.T) {
	for _, v := range []string{TwilioSecretEnv, MetaSecretEnv} {
		if !secret.IsVar(v) {
			t.Errorf("%s is not in secret.Vars", v)
		}
	}
}
