package signature

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixturesDir is the repository's copy of the shared fixtures.
const fixturesDir = "../../testdata/fixtures"

// vectorFile mirrors testdata/fixtures/signature-vectors.json.
type vectorFile struct {
	Semantics map[string]string `json:"semantics"`
	Vectors   []vector          `json:"vectors"`
}

type vector struct {
	ID             string          `json:"id"`
	Scheme         string          `json:"scheme"`
	Algorithm      string          `json:"algorithm"`
	Secret         string          `json:"secret"`
	URL            string          `json:"url"`
	ContentType    string          `json:"content_type"`
	Params         [][]string      `json:"params"`
	FormBody       *string         `json:"form_body"`
	Body           *string         `json:"body"`
	BodyBase64     *string         `json:"body_base64"`
	BodyFile       string          `json:"body_file"`
	BodySHA256     string          `json:"body_sha256"`
	BodyLength     *int            `json:"body_length"`
	Expected       string          `json:"expected_header_value"`
	Valid          bool            `json:"valid"`
	SignedString   string          `json:"signed_string"`
	LibraryResults map[string]bool `json:"library_results"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixturesDir, "signature-vectors.json"))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors in file")
	}
	seen := map[string]bool{}
	for _, v := range f.Vectors {
		if v.ID == "" || seen[v.ID] {
			t.Fatalf("vector id %q empty or repeated", v.ID)
		}
		seen[v.ID] = true
	}
	return f.Vectors
}

// vectorBody returns the raw request body of v. Form vectors are encoded from params
// in their listed order ("params are form-decoded", so the body is their encoding);
// other vectors carry body, body_base64 or body_file.
func vectorBody(t *testing.T, v vector) []byte {
	t.Helper()
	var body []byte
	switch {
	case v.Body != nil:
		body = []byte(*v.Body)
	case v.BodyBase64 != nil:
		b, err := base64.StdEncoding.DecodeString(*v.BodyBase64)
		if err != nil {
			t.Fatalf("body_base64: %v", err)
		}
		body = b
	case v.BodyFile != "":
		b, err := os.ReadFile(filepath.Join(fixturesDir, filepath.Base(v.BodyFile)))
		if err != nil {
			t.Fatalf("body_file: %v", err)
		}
		body = b
	case v.Params != nil:
		body = []byte(encodeParams(t, v.Params))
		if v.FormBody != nil && *v.FormBody != string(body) {
			t.Fatalf("body from params = %q, form_body = %q", body, *v.FormBody)
		}
	}
	checkBodyFacts(t, v, body)
	return body
}

// encodeParams form-encodes [name, value] pairs in order.
func encodeParams(t *testing.T, params [][]string) string {
	t.Helper()
	pairs := make([]string, 0, len(params))
	for _, p := range params {
		if len(p) != 2 {
			t.Fatalf("param %q is not a [name, value] pair", p)
		}
		pairs = append(pairs, url.QueryEscape(p[0])+"="+url.QueryEscape(p[1]))
	}
	return strings.Join(pairs, "&")
}

// checkBodyFacts checks body_sha256 and body_length when the vector gives them.
func checkBodyFacts(t *testing.T, v vector, body []byte) {
	t.Helper()
	if v.BodySHA256 != "" {
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != v.BodySHA256 {
			t.Fatalf("sha256(body) = %s, vector says %s", got, v.BodySHA256)
		}
	}
	if v.BodyLength != nil && *v.BodyLength != len(body) {
		t.Fatalf("len(body) = %d, vector says %d", len(body), *v.BodyLength)
	}
}

// TestVectors runs every official vector through VerifyTwilio or VerifyMeta. The
// outcome must equal `valid`, which follows twilio-go where the libraries disagree.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			body := vectorBody(t, v)
			var err error
			switch v.Scheme {
			case "twilio":
				err = VerifyTwilio(v.Secret, v.URL, v.ContentType, body, v.Expected)
			case "meta":
				err = VerifyMeta(v.Secret, body, v.Expected)
			default:
				t.Fatalf("unknown scheme %q", v.Scheme)
			}
			if v.Valid && err != nil {
				t.Fatalf("want valid, got %v", err)
			}
			if !v.Valid && !errors.Is(err, ErrMismatch) {
				t.Fatalf("want ErrMismatch, got %v", err)
			}
			if want, ok := v.LibraryResults["twilio-go"]; ok && want != v.Valid {
				t.Errorf("twilio-go result %v differs from valid %v", want, v.Valid)
			}
		})
	}
}

// TestVectorSignedStrings checks the informational signed_string: the header is
// HMAC-SHA1 of it, and this package builds exactly that string (for the vector's URL
// or its port-toggled variant) when the vector is valid, and never when it is not.
func TestVectorSignedStrings(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.SignedString == "" {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			// With no params the payload is the URL alone, so this is HMAC(signed_string).
			if sig := TwilioSign(v.Secret, v.SignedString, nil); sig != v.Expected {
				t.Fatalf("HMAC(signed_string) = %s, header is %s", sig, v.Expected)
			}
			params, err := ParseForm(vectorBody(t, v))
			if err != nil {
				t.Fatal(err)
			}
			alt, _ := togglePort(v.URL)
			got := []string{twilioPayload(v.URL, params), twilioPayload(alt, params)}
			built := got[0] == v.SignedString || got[1] == v.SignedString
			if built != v.Valid {
				t.Fatalf("payloads %q, signed_string %q, valid %v", got, v.SignedString, v.Valid)
			}
		})
	}
}

// TestVectorsResignable checks that TwilioSign/MetaSign reproduce every valid header
// from the URL the vector names or its port-toggled variant.
func TestVectorsResignable(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.Valid {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			body := vectorBody(t, v)
			if v.Scheme == "meta" {
				if got := MetaSign(v.Secret, body); got != v.Expected {
					t.Fatalf("MetaSign = %s, want %s", got, v.Expected)
				}
				return
			}
			var params url.Values
			if v.ContentType != "application/json" {
				params, _ = ParseForm(body)
			}
			alt, _ := togglePort(v.URL)
			if TwilioSign(v.Secret, v.URL, params) != v.Expected &&
				TwilioSign(v.Secret, alt, params) != v.Expected {
				t.Fatalf("neither %q nor %q signs to %s", v.URL, alt, v.Expected)
			}
		})
	}
}
