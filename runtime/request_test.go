package runtime

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func formRequest(ct, body string) *Request {
	return &Request{Header: http.Header{"Content-Type": {ct}}, Body: []byte(body)}
}

func TestFormURLEncoded(t *testing.T) {
	r := formRequest("application/x-www-form-urlencoded; charset=UTF-8",
		"From=%2B14155550100&Body=Hello+there%21&Digits=1")
	for name, want := range map[string]string{"From": "+14155550100", "Body": "Hello there!", "Digits": "1", "Missing": "", "from": ""} {
		got, err := r.FormValue(name)
		if err != nil || got != want {
			t.Errorf("FormValue(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestFormBadEscape(t *testing.T) {
	r := formRequest("application/x-www-form-urlencoded", "Good=1&Bad=%zz")
	for range 2 { // the error sticks; the partial form is never served
		got, err := r.FormValue("Good")
		if got != "" || !errors.Is(err, ErrBadRequest) {
			t.Fatalf("got %q, %v", got, err)
		}
		if err.Error() != `unreadable form body: invalid URL escape "%zz"` {
			t.Errorf("error text: %v", err)
		}
		if StatusOf(err) != 400 {
			t.Errorf("status %d", StatusOf(err))
		}
	}
}

func TestFormMultipart(t *testing.T) {
	body := "--XyZ\r\n" +
		"Content-Disposition: form-data; name=\"Body\"\r\n\r\n" +
		"hello world\r\n" +
		"--XyZ\r\n" +
		"Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n" +
		"Content-Type: text/plain\r\n\r\n" +
		"file content\r\n" +
		"--XyZ\r\n" +
		"Content-Disposition: form-data; name=\"From\"\r\n\r\n" +
		"+1555\r\n" +
		"--XyZ--\r\n"
	r := formRequest(`multipart/form-data; boundary=XyZ`, body)
	for name, want := range map[string]string{"Body": "hello world", "From": "+1555", "file": "", "x": ""} {
		got, err := r.FormValue(name)
		if err != nil || got != want {
			t.Errorf("FormValue(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	bad := formRequest(`multipart/form-data; boundary=XyZ`, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated")
	if _, err := bad.FormValue("a"); !errors.Is(err, ErrBadRequest) {
		t.Errorf("broken multipart: %v", err)
	}
	noBoundary := formRequest(`multipart/form-data`, body)
	if _, err := noBoundary.FormValue("a"); !errors.Is(err, ErrBadRequest) {
		t.Errorf("no boundary: %v", err)
	}
}

func TestFormOtherContentTypes(t *testing.T) {
	for _, r := range []*Request{
		formRequest("application/json", `{"a":1}`),
		{Body: []byte("a=1")}, // no Content-Type, no header map at all
	} {
		if got, err := r.FormValue("a"); got != "" || err != nil {
			t.Errorf("FormValue = %q, %v", got, err)
		}
	}
	if _, err := formRequest("text/html; charset", "a=1").FormValue("a"); !errors.Is(err, ErrBadRequest) {
		t.Errorf("malformed Content-Type: %v", err)
	}
}

func TestQueryHeaderPath(t *testing.T) {
	r := &Request{
		RawQuery: "hub.mode=subscribe&hub.challenge=1158201444&bad=%zz&x=a+b",
		Header:   http.Header{"X-Twilio-Signature": {"sig"}},
		Params:   map[string]string{"bot": "sales"},
	}
	check(t, "query", r.QueryValue("hub.challenge"), "1158201444")
	check(t, "query plus", r.QueryValue("x"), "a b")
	check(t, "query bad escape is lenient", r.QueryValue("hub.mode"), "subscribe")
	check(t, "query missing", r.QueryValue("nope"), "")
	check(t, "header", r.HeaderValue("x-twilio-signature"), "sig")
	check(t, "header missing", r.HeaderValue("X-Other"), "")
	check(t, "path", r.PathValue("bot"), "sales")
	check(t, "path any case", r.PathValue("BOT"), "sales")
	check(t, "path missing", r.PathValue("x"), "")
	empty := &Request{}
	check(t, "empty", empty.QueryValue("a")+empty.HeaderValue("a")+empty.PathValue("a"), "")
}

// QueryValue scans a short query instead of parsing it: for every query
// and name it gives what url.ParseQuery(query).Get(name) gives, short or
// long (parsed) alike.
func TestQueryValueIsParseQuerys(t *testing.T) {
	long := strings.Repeat("pad=x&", maxScannedQuery/6+1)
	tests := []struct{ name, query, key string }{
		{"first of three", "a=1&b=2&c=3", "a"},
		{"last of three", "a=1&b=2&c=3", "c"},
		{"missing", "a=1", "b"},
		{"first of repeated", "a=1&a=2", "a"},
		{"no value", "a&b=2", "a"},
		{"empty value", "a=&b=2", "a"},
		{"value with =", "a=b=c", "a"},
		{"plus is a space", "a=x+y", "a"},
		{"escaped value", "a=%41%2b", "a"},
		{"escaped key", "%61=1", "a"},
		{"plus in key", "a+b=1", "a b"},
		{"raw key with an escape is not its own name", "%61=1", "%61"},
		{"bad escape in value skips the pair", "a=%zz&a=2", "a"},
		{"bad escape in key skips the pair", "%zz=1&b=2", "b"},
		{"bad escape in key, raw name", "%zz=1", "%zz"},
		{"semicolon skips the pair", "a=1;b=2&a=3", "a"},
		{"semicolon pair, other key", "x=1;a=2&a=3", "a"},
		{"empty pairs", "&&a=1&&", "a"},
		{"empty name", "=1&a=2", ""},
		{"empty query", "", "a"},
		{"unicode", "n%C3%A3o=sim%C3%A3", "não"},
		{"meta's handshake", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=kettle-blue-42", "hub.verify_token"},
		{"long query is parsed", long + "a=1&a=2", "a"},
		{"long query, bad escape", long + "a=%zz&a=2", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := parseQueryGet(tt.query, tt.key)
			r := &Request{RawQuery: tt.query}
			if got := r.QueryValue(tt.key); got != want {
				t.Errorf("QueryValue(%q) of %q = %q, ParseQuery gives %q", tt.key, tt.query, got, want)
			}
			if got := r.QueryValue(tt.key); got != want { // asked twice: parsed or scanned again
				t.Errorf("again: QueryValue(%q) of %q = %q, ParseQuery gives %q", tt.key, tt.query, got, want)
			}
		})
	}
}

func parseQueryGet(query, name string) string {
	q, _ := url.ParseQuery(query)
	return q.Get(name)
}

func FuzzQueryValueIsParseQuerys(f *testing.F) {
	f.Add("a=1&b=%41&c+d=x+y;z&&%zz=1", "a")
	f.Add("hub.mode=subscribe&hub.challenge=1158201444", "hub.challenge")
	f.Fuzz(func(t *testing.T, query, name string) {
		r := &Request{RawQuery: query}
		if got, want := r.QueryValue(name), parseQueryGet(query, name); got != want {
			t.Errorf("QueryValue(%q) of %q = %q, ParseQuery gives %q", name, query, got, want)
		}
	})
}
