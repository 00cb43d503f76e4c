package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/runtime"
)

const waEvent = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messages":[{"id":"wamid.X","from":"1"}]}}]}]}`

// A signed delivery is remembered only once its handler answered 2xx; then
// a redelivery answers 200 without running. Unsigned routes always run.
func TestRedeliveriesSkippedOnlyAfterSuccess(t *testing.T) {
	failing := "ON WEBHOOK POST TO \"/wa\" FROM WHATSAPP DO\n  MARK 1\n  SET RESPONSE STATUS TO 500\nEND ON\n"
	working := "ON WEBHOOK POST TO \"/wa\" FROM WHATSAPP DO\n  MARK 1\n  PRINT \"ok\"\nEND ON\n" +
		"ON WEBHOOK POST TO \"/open\" DO\n  MARK 1\n  PRINT \"open\"\nEND ON\n"
	q := &memQueue{}
	h := newHarness(t, Config{Queue: q, Getenv: env(MetaSecretEnv, appSecret)}, failing, runtime.Options{})
	steps := []struct {
		name   string
		src    string // swapped in first when set
		path   string
		status int
		body   string
		marks  int64
	}{
		{"failed run", "", "/wa", 500, "", 1},
		{"failed run is not remembered", "", "/wa", 500, "", 2},
		{"success", working, "/wa", 200, "ok", 3},
		{"redelivery skipped", "", "/wa", 200, "", 3},
		{"unsigned route runs", "", "/open", 200, "open", 4},
		{"unsigned route runs again", "", "/open", 200, "open", 5},
	}
	for _, s := range steps {
		if s.src != "" {
			h.srv.Swap(h.f.machine(t, s.src, runtime.Options{Logger: h.logs.logger()}))
		}
		r := metaReq(appSecret, waEvent)
		r.URL.Path = s.path
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, r)
		if rec.Code != s.status || rec.Body.String() != s.body || h.f.marks.Load() != s.marks {
			t.Errorf("%s: %d %q, %d runs; want %d %q, %d runs", s.name, rec.Code, rec.Body, h.f.marks.Load(), s.status, s.body, s.marks)
		}
	}
	if len(q.keys) != 1 || !q.keys["POST /wa WHATSAPP wa:msg:wamid.X"] {
		t.Errorf("stored keys %v", q.keys)
	}
	if n := strings.Count(h.logs.String(), `msg="duplicate delivery: every event was handled before; not run" request_id=`); n != 1 {
		t.Errorf("%d duplicate lines logged, want 1:\n%s", n, h.logs)
	}
}
