package secret

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	const pass = "p@ss w/rd&x?>~" // encodes with + and / in base64, escapes in URLs
	std := base64.StdEncoding.EncodeToString
	url64 := base64.URLEncoding.EncodeToString
	raw := base64.RawStdEncoding.EncodeToString
	if std([]byte("\x00shop\x00"+pass)) == url64([]byte("\x00shop\x00"+pass)) {
		t.Fatal("the test secret must encode differently in the two base64 alphabets")
	}
	r := NewRedactor(func(k string) string {
		return map[string]string{"SMTP_PASSWORD": pass, "WHATSAPP_TOKEN": "EAAGtok123", "NOTIFY_EMAIL": "a@b.c"}[k]
	})
	tests := []struct{ name, in, want string }{
		{"plain", "535 bad password " + pass + " for shop", "535 bad password [REDACTED] for shop"},
		{"AUTH PLAIN echoed, standard base64", "535 5.7.8 auth failed: " + std([]byte("\x00shop\x00"+pass)),
			"535 5.7.8 auth failed: [REDACTED]"},
		{"URL-alphabet base64", "bad " + url64([]byte("\x00shop\x00"+pass)) + ".", "bad [REDACTED]."},
		{"unpadded base64", "bad " + raw([]byte("\x00shop\x00"+pass)) + " end", "bad [REDACTED] end"},
		{"base64 glued to a word", "auth=x" + std([]byte(pass)), "auth=[REDACTED]"},
		{"base64 glued to three characters", "xyz" + std([]byte(pass)) + "!", "[REDACTED]!"},
		{"secret one byte into the encoded text", "got " + std([]byte("a"+pass)), "got [REDACTED]"},
		{"secret two bytes into the encoded text", "got " + std([]byte("ab"+pass+"cd")), "got [REDACTED]"},
		{"query-escaped", "GET /x?p=" + url.QueryEscape(pass) + "&y=1", "GET /x?p=[REDACTED]&y=1"},
		{"path-escaped", "GET /x/" + url.PathEscape(pass) + "/y", "GET /x/[REDACTED]/y"},
		{"lower-case escapes", "p=p%40ss+w%2frd%26x%3f%3e~", "p=[REDACTED]"},
		{"a second secret variable", "Bearer EAAGtok123 rejected", "Bearer [REDACTED] rejected"},
		{"a variable that is no secret stays", "to a@b.c", "to a@b.c"},
		{"other base64 stays", "id dGhpcyBpcyBmaW5l=", "id dGhpcyBpcyBmaW5l="},
		{"no secret", "550 5.1.1 no such user", "550 5.1.1 no such user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// The decoding skips runs too short to hold the shortest secret and decodes
// into a stack buffer: the shortest encodings of a short secret, and a
// secret deep in a run longer than that buffer, must still be found.
func TestRedactBase64RunLengths(t *testing.T) {
	r := NewRedactorOf("k3y!", "EAAGtok123")
	long := strings.Repeat("x", 600) + "EAAGtok123" + strings.Repeat("y", 300)
	tests := []struct{ name, in, want string }{
		{"4-byte secret unpadded", "a " + base64.RawStdEncoding.EncodeToString([]byte("k3y!")) + " b", "a [REDACTED] b"},
		{"4-byte secret padded", "a " + base64.StdEncoding.EncodeToString([]byte("k3y!")) + " b", "a [REDACTED] b"},
		{"secret past a 256-byte decode", "x " + base64.StdEncoding.EncodeToString([]byte(long)), "x [REDACTED]"},
		{"a run one byte short", "a " + base64.RawStdEncoding.EncodeToString([]byte("k3y")) + " b",
			"a " + base64.RawStdEncoding.EncodeToString([]byte("k3y")) + " b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactorWithoutSecrets(t *testing.T) {
	const s = "535 AHNob3AAcGFzcw== pass"
	for name, r := range map[string]*Redactor{"nil": nil, "zero": {}, "no getenv": NewRedactor(nil),
		"empty values": NewRedactorOf("", "")} {
		if got := r.Redact(s); got != s {
			t.Errorf("%s: Redact(%q) = %q", name, s, got)
		}
	}
}

// FuzzRedact: whatever surrounds them, the secret's plain, URL-escaped and
// base64 forms never survive, and Redact never panics.
func FuzzRedact(f *testing.F) {
	const pass = "s3cr?t/Pa55"
	for _, s := range []string{"", "x", "AHNob3AAczNjcj90L1BhNTU=", "+czNjcj90L1BhNTU-", "==a=b", "%2F%2f"} {
		f.Add(s, s)
	}
	r := NewRedactorOf(pass)
	forms := []string{pass, url.QueryEscape(pass), url.PathEscape(pass)}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding,
		base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(pass)))
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		for _, form := range forms {
			out := r.Redact(before + form + after)
			if strings.Contains(out, pass) || strings.Contains(out, form) {
				t.Errorf("Redact(%q) = %q still holds %q", before+form+after, out, form)
			}
		}
	})
}
