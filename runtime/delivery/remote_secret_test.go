package delivery

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/secret"
)

// TestRemoteErrorsRedacted: Graph and LLM error answers quoting a secret, in
// any encoding, are redacted by Config.Redact before they become error text.
func TestRemoteErrorsRedacted(t *testing.T) {
	const token, key, twilio = "EAAG+tok/en?", "sk-KEY/with+chars?", "tw-auth-0123"
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, service string
		status        int
		body, want    string
	}{
		{"LLM quoting its key in base64", "llm", 401,
			`{"error":{"message":"bad key ` + b64([]byte("Bearer "+key)) + `"}}`,
			"llm: HTTP 401 Unauthorized: bad key [REDACTED]"},
		{"LLM quoting another secret", "llm", 400, `{"error":{"message":"saw ` + twilio + `"}}`,
			"llm: HTTP 400 Bad Request: saw [REDACTED]"},
		{"LLM plain-text page", "llm", 502, "proxy: GET /?key=" + url.QueryEscape(key),
			"llm: HTTP 502 Bad Gateway: proxy: GET /?key=[REDACTED] (transient)"},
		{"Graph quoting the token URL-encoded", "whatsapp", 401,
			`{"error":{"message":"token ` + url.QueryEscape(token) + ` expired","code":190}}`,
			"whatsapp: graph error 190: token [REDACTED] expired"},
		{"Graph quoting the token in URL base64", "whatsapp", 400,
			`{"error":{"message":"bad ` + base64.URLEncoding.EncodeToString([]byte(token)) + `","code":100}}`,
			"whatsapp: graph error 100: bad [REDACTED]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			env := envFunc(map[string]string{"GBHOOK_LLM_URL": srv.URL, "GBHOOK_LLM_MODEL": "m",
				"GBHOOK_LLM_API_KEY": key, "WHATSAPP_TOKEN": token, "WHATSAPP_PHONE_NUMBER_ID": "1",
				"WHATSAPP_API_URL": srv.URL, "TWILIO_AUTH_TOKEN": twilio})
			_, wa, llm, err := FromEnv(Config{Getenv: env, DataDir: t.TempDir(), Timeout: 5 * time.Second,
				Redact: secret.NewRedactor(env).Redact})
			if err != nil {
				t.Fatal(err)
			}
			if tc.service == "llm" {
				_, err = llm.Complete(context.Background(), "hi")
			} else {
				_, err = wa.SendText(context.Background(), "15550100", "hi")
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v\nwant    %s", err, tc.want)
			}
		})
	}
}
