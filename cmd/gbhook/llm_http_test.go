package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/simulate"
)

// With GBHOOK_LLM_URL set, the shipped GENERATE RESPONSE asks the model, and
// the WhatsApp reply is its answer.
func TestShippedReplyUsesLLMWhenConfigured(t *testing.T) {
	var calls atomic.Int32
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Model    string `json:"model"`
			Messages []struct{ Content string }
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &req)
		if r.URL.Path != "/v1/chat/completions" || req.Model != "tiny" || len(req.Messages) == 0 ||
			!strings.Contains(req.Messages[len(req.Messages)-1].Content, "opening hours?") {
			http.Error(w, "unexpected request "+string(b), 400)
			return
		}
		_, _ = io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":"We open at 9."}}]}`)
	}))
	defer llm.Close()
	ts, data, logs := seedApp(t, []string{"../../scripts"}, map[string]string{
		"META_APP_SECRET": metaSecret, "GBHOOK_LLM_URL": llm.URL + "/v1", "GBHOOK_LLM_MODEL": "tiny"})
	target := simulate.Target{BaseURL: ts.URL, MetaSecret: metaSecret}
	res, err := target.Send(t.Context(), simulate.WhatsAppText("447700900123", "opening hours?"))
	if err != nil || res.Status != 200 || res.Body != "OK" {
		t.Fatalf("send: %v %+v", err, res)
	}
	sent := outboxFiles(t, filepath.Join(data, "outbox", "whatsapp"), 1)
	if len(sent) != 1 || !strings.Contains(sent[0], `"body":"We open at 9."`) || !strings.Contains(sent[0], `"to":"447700900123"`) {
		t.Fatalf("reply %q (LLM calls %d); logs:\n%s", sent, calls.Load(), logs)
	}
	time.Sleep(50 * time.Millisecond)
	if calls.Load() != 1 {
		t.Errorf("LLM called %d times, want 1", calls.Load())
	}
}
