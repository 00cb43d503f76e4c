package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	httpserver "github.com/gbhook/gbhook/runtime/server"
	"github.com/gbhook/gbhook/runtime/signature"
)

func metaSign(secret string, body []byte) string { return signature.MetaSign(secret, body) }

type vector struct {
	ID          string     `json:"id"`
	Scheme      string     `json:"scheme"`
	Secret      string     `json:"secret"`
	URL         string     `json:"url"`
	ContentType string     `json:"content_type"`
	Params      [][]string `json:"params"`
	Body        *string    `json:"body"`
	BodyBase64  string     `json:"body_base64"`
	BodyFile    string     `json:"body_file"`
	Header      string     `json:"header"`
	Value       string     `json:"expected_header_value"`
	Valid       bool       `json:"valid"`
}

func (v vector) body(t *testing.T) []byte {
	switch {
	case v.Body != nil:
		return []byte(*v.Body)
	case v.BodyBase64 != "":
		b, err := base64.StdEncoding.DecodeString(v.BodyBase64)
		if err != nil {
			t.Fatal(err)
		}
		return b
	case v.BodyFile != "":
		return fixture(t, v.BodyFile)
	}
	var pairs []string
	for _, p := range v.Params {
		pairs = append(pairs, url.QueryEscape(p[0])+"="+url.QueryEscape(p[1]))
	}
	return []byte(strings.Join(pairs, "&"))
}

// Every official signature vector, as a real HTTP request to a FROM route:
// the handler runs exactly when the vector is valid, else 403.
func TestSignatureVectorsOverHTTP(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/fixtures/signature-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, v := range file.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			path, base := "/hook", ""
			from, secretEnv := "WHATSAPP", "META_APP_SECRET"
			if v.Scheme == "twilio" {
				u, err := url.Parse(v.URL)
				if err != nil {
					t.Fatal(err)
				}
				path, base = u.Path, v.URL[:strings.Index(v.URL, u.EscapedPath())]
				from, secretEnv = "TWILIO", "TWILIO_AUTH_TOKEN"
			}
			dir := t.TempDir()
			script := "ON WEBHOOK POST TO \"" + path + "\" FROM " + from + " DO\n  PRINT \"ran\"\nEND ON\n"
			if err := os.WriteFile(filepath.Join(dir, "v.bas"), []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			a, err := newApp(appConfig{Dirs: []string{dir}, Data: t.TempDir(),
				Getenv: func(k string) string { return map[string]string{secretEnv: v.Secret}[k] },
				Server: httpserver.Config{PublicURL: base}})
			if err != nil {
				t.Fatal(err)
			}
			defer a.queue.Close()
			if err := a.load(); err != nil {
				t.Fatal(err)
			}
			target := "/hook"
			if v.Scheme == "twilio" {
				target = strings.TrimPrefix(v.URL, base)
			}
			ts := httptest.NewServer(a.srv.Handler())
			defer ts.Close()
			req, err := http.NewRequest("POST", ts.URL+target, bytes.NewReader(v.body(t)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", v.ContentType)
			req.Header.Set(v.Header, v.Value)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status, body := resp.StatusCode, string(b)
			if v.Valid && (status != 200 || body != "ran") || !v.Valid && status != http.StatusForbidden {
				t.Errorf("valid=%v: got %d %q", v.Valid, status, body)
			}
		})
	}
}
