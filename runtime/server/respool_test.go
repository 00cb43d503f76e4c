package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/runtime"
)

const poolScript = `ON WEBHOOK POST TO "/long" DO
  SET RESPONSE HEADER "X-Long" TO "yes"
  SET RESPONSE HEADER "Content-Type" TO "text/xml"
  PRINT "<long>" + "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL" + "</long>"
END ON

ON WEBHOOK POST TO "/short" DO
  PRINT "short"
END ON
`

// TestPooledResponsesDoNotLeakBetweenRequests: the server reuses its runs'
// Responses. A request must see none of the previous one's headers or body,
// and a history record must keep its own body after the buffer is reused.
func TestPooledResponsesDoNotLeakBetweenRequests(t *testing.T) {
	o := &observed{}
	h := newHarness(t, Config{Observe: o.observe}, poolScript, runtime.Options{})
	long := "<long>" + strings.Repeat("L", 78) + "</long>"
	tests := []struct {
		name, path, body, ctype, xlong string
	}{
		{"long first", "/long", long, "text/xml", "yes"},
		{"short after long", "/short", "short", "text/plain; charset=utf-8", ""},
		{"long again", "/long", long, "text/xml", "yes"},
		{"short again", "/short", "short", "text/plain; charset=utf-8", ""},
	}
	for round := 0; round < 50; round++ {
		for _, tt := range tests {
			code, body, hdr := h.do(httptest.NewRequest("POST", tt.path, nil))
			if code != 200 || body != tt.body || hdr.Get("Content-Type") != tt.ctype || hdr.Get("X-Long") != tt.xlong {
				t.Fatalf("%s (round %d): %d %q Content-Type %q X-Long %q, want 200 %q %q %q",
					tt.name, round, code, body, hdr.Get("Content-Type"), hdr.Get("X-Long"), tt.body, tt.ctype, tt.xlong)
			}
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.recs) != 4*50 {
		t.Fatalf("%d records, want %d", len(o.recs), 4*50)
	}
	for i, r := range o.recs {
		if want := tests[i%4].body; string(r.RespBody) != want {
			t.Fatalf("record %d (%s): body %q, want %q", i, r.Path, r.RespBody, want)
		}
	}
}
