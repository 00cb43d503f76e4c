package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/runtime/signature"
)

func TestPool(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	delivery := write("ok.json", "{\n  \"entry\": [{\"changes\": [{\"value\": {\"messages\": [{\"id\": \"wamid.A\", \"text\": {\"body\": \"hi\"}}]}}]}]\n}\n")
	tests := []struct {
		name, path string
		n          int
		want       []string // bodies
		err        string
	}{
		{"two copies", delivery, 2, []string{
			`{"entry":[{"changes":[{"value":{"messages":[{"id":"p-1","text":{"body":"hi"}}]}}]}]}`,
			`{"entry":[{"changes":[{"value":{"messages":[{"id":"p-2","text":{"body":"hi"}}]}}]}]}`,
		}, ""},
		{"no message id", write("status.json", `{"entry":[{"changes":[{"value":{"statuses":[{"id":"x"}]}}]}]}`), 1, nil,
			filepath.Join(dir, "status.json") + ": no entry[0].changes[0].value.messages[0].id"},
		{"not JSON", write("bad.json", `{"entry":`), 1, nil,
			filepath.Join(dir, "bad.json") + ": unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := pool(&out, tt.path, tt.n, "p", "s3cret")
			if got := errString(err); got != tt.err {
				t.Fatalf("error %q, want %q", got, tt.err)
			}
			var bodies []string
			for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
				if line == "" {
					continue
				}
				sig, body, _ := strings.Cut(line, " ")
				if err := signature.VerifyMeta("s3cret", []byte(body), sig); err != nil {
					t.Errorf("%s: %v", body, err)
				}
				bodies = append(bodies, body)
			}
			if strings.Join(bodies, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("bodies %q, want %q", bodies, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
