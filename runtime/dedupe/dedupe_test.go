package dedupe

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWhatsAppKeys(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []string
	}{
		{"text fixture", fixture(t, "whatsapp-text.json"),
			[]string{"wa:msg:wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUQTFGNkMyNzNGQ0IxQTlBMjk1RUMA"}},
		{"status fixture", fixture(t, "whatsapp-status-delivered.json"),
			[]string{"wa:status:wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUODBFMkEwMjIwMjAwOTVBOTNCNTIA:delivered"}},
		{"two changes, message and status", []byte(`{"entry":[{"changes":[{"value":{"messages":[{"id":"wamid.A"},{"id":"wamid.B"}]}},
			{"value":{"statuses":[{"id":"wamid.A","status":"read"}]}}]}]}`),
			[]string{"wa:msg:wamid.A", "wa:msg:wamid.B", "wa:status:wamid.A:read"}},
		{"missing and non-string ids are skipped", []byte(`{"entry":[{"changes":[{"value":{"messages":[{"id":""},{"id":7},{"from":"1"}]}}]}]}`), nil},
		{"invalid JSON", []byte(`{"entry":[`), nil},
		{"not an object", []byte(`[1,2]`), nil},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WhatsApp(tt.body); !slices.Equal(got, tt.want) {
				t.Fatalf("WhatsApp() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTwilioKey(t *testing.T) {
	h := http.Header{}
	if got := Twilio(h); got != nil {
		t.Fatalf("no header: %q", got)
	}
	h.Set(TwilioHeader, "ACxx-1")
	if got := Twilio(h); !slices.Equal(got, []string{"twilio:ACxx-1"}) {
		t.Fatalf("Twilio() = %q", got)
	}
}

func FuzzWhatsApp(f *testing.F) {
	f.Add([]byte(`{"entry":[{"changes":[{"value":{"messages":[{"id":"x"}]}}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, k := range WhatsApp(b) {
			if len(k) < len("wa:msg:x") {
				t.Fatalf("short key %q", k)
			}
		}
	})
}
