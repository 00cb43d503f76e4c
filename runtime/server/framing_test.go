package server

import (
	"fmt"
	"github.com/gbhook/gbhook/lang"
	"net/http"
	"strings"
	"testing"
)

// scan feeds in to a new scanner in pieces of size n (0: all at once) and
// describes what it queued, one head a line, then "lost" if it gave up.
func scan(in string, n int) string {
	var s headScanner
	if n == 0 {
		n = len(in) + 1
	}
	for i := 0; i < len(in); i += n {
		s.feed([]byte(in[i:min(i+n, len(in))]))
	}
	var b strings.Builder
	for _, h := range s.queue {
		fmt.Fprintf(&b, "%s %s conflict=%v last=%v\n", h.method, h.target, h.conflict, h.last)
	}
	if s.lost {
		b.WriteString("lost\n")
	}
	return b.String()
}

func TestHeadScanner(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one GET", "GET /a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /a?x=1 conflict=false last=false\n"},
		{"blank lines before a request", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / conflict=false last=false\n"},
		{"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", "GET / conflict=false last=false\n"},
		{"a body is skipped", "POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\n\r\nGET /g HTTP/1.1\r\n\r\n",
			"POST /p conflict=false last=false\nGET /g conflict=false last=false\n"},
		{"both headers", "POST /p HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
			"POST /p conflict=true last=true\nlost\n"},
		{"both headers, HTTP/1.0", "POST /p HTTP/1.0\r\ncontent-length: 3\r\ntransfer-encoding: x\r\n\r\nabc",
			"POST /p conflict=true last=true\nlost\n"},
		{"Transfer-Encoding on HTTP/1.0 is ignored", "POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\nGET / HTTP/1.1\r\n\r\n",
			"POST /p conflict=false last=false\nGET / conflict=false last=false\n"},
		{"chunked: cannot follow", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
			"POST /p conflict=false last=true\nlost\n"},
		{"equal Content-Lengths", "POST /p HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nxGET / HTTP/1.1\r\n\r\n",
			"POST /p conflict=false last=false\nGET / conflict=false last=false\n"},
		{"different Content-Lengths", "POST /p HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
			"POST /p conflict=false last=true\nlost\n"},
		{"signed Content-Length", "POST /p HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", "POST /p conflict=false last=true\nlost\n"},
		{"huge Content-Length", "POST /p HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
			"POST /p conflict=false last=true\nlost\n"},
		{"folded line is part of the previous field", "GET / HTTP/1.1\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
			"GET / conflict=false last=false\n"},
		{"empty Content-Length", "POST /p HTTP/1.1\r\nContent-Length: \r\n\r\n", "POST /p conflict=false last=true\nlost\n"},
		{"empty Content-Length and Transfer-Encoding", "POST /p HTTP/1.1\r\nContent-Length:\r\nTransfer-Encoding: chunked\r\n\r\n",
			"POST /p conflict=true last=true\nlost\n"},
		{"bad request line", "GARBAGE\r\n\r\n", "lost\n"},
		{"header block too large", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", maxHeadBytes) + "\r\n\r\n", "lost\n"},
		{"unfinished head queues nothing", "GET / HTTP/1.1\r\nHost: x\r\n", ""},
		{"too many pipelined requests", strings.Repeat("GET / HTTP/1.1\r\n\r\n", maxPipelined+2),
			strings.Repeat("GET / conflict=false last=false\n", maxPipelined) + "GET / conflict=false last=true\nlost\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 7} {
				if got := scan(tc.in, n); got != tc.want {
					t.Errorf("fed in pieces of %d:\n%s\nwant:\n%s", n, got, tc.want)
				}
			}
		})
	}
}

// A keep-alive connection's requests cost the scanner one allocation each,
// the target it queues: header lines are read in place, the method is a
// constant, and the queue keeps its array (a reslice from the front made a
// new one for every request).
func TestHeadScannerAllocatesOnlyTheTarget(t *testing.T) {
	req := []byte("POST /twilio/voice HTTP/1.1\r\nHost: example.com\r\nUser-Agent: TwilioProxy/1.1\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: 0nHPXwJ8tHFOPeWqTxVrOsUHn+c=\r\n" +
		"Content-Length: 5\r\n\r\nFrom=")
	fc := &framedConn{}
	r := &http.Request{Method: "POST", RequestURI: "/twilio/voice"}
	serve := func() {
		fc.sc.feed(req)
		if h, ok := fc.next(r); !ok || h.last {
			t.Fatalf("head %+v ok=%v", h, ok)
		}
	}
	serve()
	if got := testing.AllocsPerRun(200, serve); got != 1 {
		t.Errorf("allocations per request: %v, want 1", got)
	}
}

// However the bytes arrive, the scanner sees the same heads.
func FuzzHeadScanner(f *testing.F) {
	f.Add("POST /p HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 5)
	f.Add("GET / HTTP/1.1\r\n\r\nPOST /p HTTP/1.1\r\nContent-Length: 2\r\n\r\nxyGET / HTTP/1.0\r\n\r\n", 1)
	f.Fuzz(func(t *testing.T, in string, n int) {
		if n < 1 || n > len(in) {
			n = 1
		}
		if whole, pieces := scan(in, 0), scan(in, n); whole != pieces {
			t.Errorf("whole:\n%s\nin pieces of %d:\n%s", whole, n, pieces)
		}
	})
}

// A static route is found by its path alone: the path is not split into
// segments (a slice and its strings) for every request.
func TestStaticRouteMatchesWithoutAllocating(t *testing.T) {
	seg := func(s string) lang.Segment { return lang.Segment{Text: s} }
	r := &route{segs: []lang.Segment{seg("twilio"), seg("voice")}, byMethod: map[string]*entry{"POST": {label: "POST /twilio/voice"}}}
	tb := &table{exact: map[string]*route{"/twilio/voice": r}, params: map[int][]*route{}}
	match := func() {
		if e, _, _, found := tb.match("POST", "/twilio/voice"); !found || e == nil {
			t.Fatal("no match")
		}
	}
	if got := testing.AllocsPerRun(200, match); got != 0 {
		t.Errorf("allocations per match: %v, want 0", got)
	}
	// The escaped spelling still reaches the same route, the slow way.
	if e, _, _, found := tb.match("POST", "/twilio/%76oice"); !found || e == nil || e.label != "POST /twilio/voice" {
		t.Fatalf("escaped path: %v %v", e, found)
	}
}
