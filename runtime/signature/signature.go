// Package signature verifies and computes X-Twilio-Signature and X-Hub-Signature-256.
//
// Twilio signs base64(HMAC-SHA1(auth token, URL + sorted form parameters)), or, for
// JSON bodies, the URL alone with a bodySHA256 query parameter that pins the body.
// Meta signs "sha256=" + hex(HMAC-SHA256(app secret, raw body)).
//
// The rules follow the official SDKs; where they disagree this package follows
// twilio-go: the URL is signed exactly as received or configured (no case folding,
// no re-encoding) and only the port is toggled. See protocols.md sections 1, 2 and 6.
//
// Error messages never contain secrets, the received header or a computed signature,
// so they are safe to log.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Sentinel errors. Verification errors wrap exactly one of them, so callers can map
// ErrMissing and ErrMismatch to 403 and ErrMalformed to 400 with errors.Is.
var (
	// ErrMissing means the signature header was absent or empty.
	ErrMissing = errors.New("signature header missing")
	// ErrMismatch means the header did not match any accepted signature, or the
	// signature could not be checked safely (for example an empty secret).
	ErrMismatch = errors.New("signature mismatch")
	// ErrMalformed means the request body could not be decoded for signing.
	ErrMalformed = errors.New("malformed form body")
)

// metaPrefix is the algorithm tag Meta puts before the hex digest.
const metaPrefix = "sha256="

// ParseForm decodes an application/x-www-form-urlencoded body. Unlike
// url.ParseQuery, which returns its first error together with every pair it could
// decode, ParseForm returns no values at all on error: signing a partial parse would
// let unsigned bytes through.
func ParseForm(body []byte) (url.Values, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return values, nil
}

// MetaSign returns the X-Hub-Signature-256 value for body:
// "sha256=" + lowercase hex HMAC-SHA256(secret, body).
func MetaSign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return metaPrefix + hex.EncodeToString(mac.Sum(nil))
}

// VerifyMeta checks an X-Hub-Signature-256 header value against the raw body bytes.
// The comparison is exact and constant-time: upper-case hex, surrounding spaces or a
// legacy "sha1=" value all fail. Callers pass only the X-Hub-Signature-256 header;
// a request that carries only the legacy X-Hub-Signature therefore gets ErrMissing.
func VerifyMeta(secret string, body []byte, header string) error {
	if header == "" {
		return fmt.Errorf("meta: %w", ErrMissing)
	}
	if secret == "" {
		// An empty key is public knowledge; never accept a signature made with it.
		return fmt.Errorf("meta: empty app secret: %w", ErrMismatch)
	}
	if !strings.HasPrefix(header, metaPrefix) {
		return fmt.Errorf("meta: header does not start with %q: %w", metaPrefix, ErrMismatch)
	}
	if !constantEqual(MetaSign(secret, body), header) {
		return fmt.Errorf("meta: %w", ErrMismatch)
	}
	return nil
}

// constantEqual compares two strings in time that depends only on their lengths.
func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// bodyDigest returns lowercase hex SHA-256 of body, the form Twilio puts in
// bodySHA256.
func bodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// queryParam returns the first value of name in the query of rawURL, and whether it
// was present with a non-empty value. Pairs that fail to unescape are skipped, the
// way url.Values.Get on a URL's Query() would: the URL itself is what gets signed,
// so a stray escape elsewhere in it does not matter here.
func queryParam(rawURL, name string) (string, bool) {
	rawURL, _, _ = strings.Cut(rawURL, "#")
	_, query, ok := strings.Cut(rawURL, "?")
	if !ok {
		return "", false
	}
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		key, value, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(key)
		if err != nil || key != name {
			continue
		}
		value, err = url.QueryUnescape(value)
		if err != nil {
			continue
		}
		return value, value != ""
	}
	return "", false
}
