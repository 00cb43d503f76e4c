package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testLLMKey = "sk-test-KEY-do-not-leak-42"

// llmServer is a real OpenAI-compatible endpoint stand-in that records requests and gives a fixed answer.
type llmServer struct {
	status int
	body   string

	mu   sync.Mutex
	path string
	auth string
	req  chatRequest
}

func (s *llmServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.path, s.auth = r.URL.Path, r.Header.Get("Authorization")
	json.Unmarshal(raw, &s.req)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status)
	io.WriteString(w, s.body)
}

func llmClient(t *testing.T, url, key string, timeout time.Duration) LLM {
	t.Helper()
	env := map[string]string{"GBHOOK_LLM_URL": url, "GBHOOK_LLM_MODEL": "llama3.2", "GBHOOK_LLM_API_KEY": key}
	_, _, llm, err := FromEnv(Config{Getenv: envFunc(env), DataDir: t.TempDir(), Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return llm
}

func TestHTTPLLM(t *testing.T) {
	const answer = `{"id":"c1","object":"chat.completion","choices":[{"index":0,` +
		`"message":{"role":"assistant","content":"We open at 9."},"finish_reason":"stop"}]}`
	tests := []struct {
		name     string
		base     string // appended to the server URL
		key      string
		status   int
		body     string
		want     string
		wantErr  string
		wantTemp bool
	}{
		{name: "normal answer", base: "/v1", key: testLLMKey, status: 200, body: answer, want: "We open at 9."},
		{name: "trailing slash, no key", base: "/v1/", status: 200, body: answer, want: "We open at 9."},
		{name: "full endpoint given", base: "/v1/chat/completions", status: 200, body: answer, want: "We open at 9."},
		{name: "server error", base: "/v1", key: testLLMKey, status: 500, body: "model crashed",
			wantErr: "HTTP 500 Internal Server Error: model crashed", wantTemp: true},
		{name: "API error echoing the key", base: "/v1", key: testLLMKey, status: 401,
			body:    `{"error":{"message":"Incorrect API key provided: ` + testLLMKey + `"}}`,
			wantErr: "HTTP 401 Unauthorized: Incorrect API key provided: [REDACTED]"},
		{name: "oversized answer", base: "/v1", key: testLLMKey, status: 200,
			body:    `{"choices":[{"message":{"content":"` + strings.Repeat("a", maxLLMResponse) + `"}}]}`,
			wantErr: "response too large"},
		{name: "no choices", base: "/v1", status: 200, body: `{"choices":[]}`, wantErr: "no choices"},
		{name: "not JSON", base: "/v1", status: 200, body: `<html>`, wantErr: "not chat completion JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls := &llmServer{status: tc.status, body: tc.body}
			srv := httptest.NewServer(ls)
			defer srv.Close()
			got, err := llmClient(t, srv.URL+tc.base, tc.key, 5*time.Second).Complete(context.Background(), "When?")
			checkLLMRequest(t, ls, tc.key)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Errorf("Complete = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), testLLMKey) {
				t.Errorf("error text contains the API key: %v", err)
			}
			if IsTransient(err) != tc.wantTemp {
				t.Errorf("IsTransient = %v, want %v", !tc.wantTemp, tc.wantTemp)
			}
		})
	}
}

func checkLLMRequest(t *testing.T, ls *llmServer, key string) {
	t.Helper()
	ls.mu.Lock()
	defer ls.mu.Unlock()
	wantAuth := ""
	if key != "" {
		wantAuth = "Bearer " + key
	}
	if ls.path != "/v1/chat/completions" || ls.auth != wantAuth {
		t.Errorf("request path %q, Authorization %q; want /v1/chat/completions, %q", ls.path, ls.auth, wantAuth)
	}
	r := ls.req
	if r.Model != "llama3.2" || len(r.Messages) != 1 || r.Messages[0] != (chatMessage{"user", "When?"}) || r.Stream {
		t.Errorf("request = %+v", r)
	}
}

func TestHTTPLLMTimeout(t *testing.T) {
	srv, stop := hangingServer()
	defer srv.Close()
	defer close(stop)
	start := time.Now()
	_, err := llmClient(t, srv.URL+"/v1", testLLMKey, 300*time.Millisecond).Complete(context.Background(), "hi")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Complete took %v with a 300ms timeout", d)
	}
	var te *TransientError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a transient deadline error", err)
	}
}
