package signature

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// bodySHA256Param is the query parameter Twilio adds to the URL of a JSON request.
const bodySHA256Param = "bodySHA256"

// TwilioURL builds the URL Twilio signed for a request. With a publicURL (a base such
// as https://user:pw@h:8443/prefix, normalised by ParsePublicURL) it is publicURL +
// requestURI; otherwise it is scheme + "://" + host + requestURI. requestURI must be
// the request target exactly as received (http.Request.RequestURI), never a
// re-encoded form: Twilio signs the bytes it sent.
func TwilioURL(publicURL, scheme, host, requestURI string) string {
	if publicURL == "" {
		return scheme + "://" + host + requestURI
	}
	return publicURL + requestURI
}

// TwilioSign returns base64(HMAC-SHA1(token, payload)), where payload is rawURL
// followed by name+value for every parameter: names sorted by bytes, the values of a
// repeated name de-duplicated and sorted, empty values kept (the name alone). This is
// the X-Twilio-Signature Twilio would send for rawURL exactly as given.
func TwilioSign(token, rawURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(twilioPayload(rawURL, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// twilioPayload is the string Twilio signs: the URL plus the sorted parameters.
// Sorting by name (not by name+value) matters: "Reason" must come before
// "ReasonConferenceEnded" whatever their values.
func twilioPayload(rawURL string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(rawURL)
	for _, name := range names {
		for _, value := range uniqueSorted(params[name]) {
			b.WriteString(name)
			b.WriteString(value)
		}
	}
	return b.String()
}

// uniqueSorted returns the distinct values in byte order, as twilio-python
// (sorted(set(v))) and twilio-node do for repeated names. The input is not modified.
func uniqueSorted(values []string) []string {
	if len(values) < 2 {
		return values
	}
	out := append([]string(nil), values...)
	sort.Strings(out)
	n := 1
	for _, v := range out[1:] {
		if v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

// TwilioSignJSON prepares a signed JSON request the way Twilio sends one: it appends
// bodySHA256=<hex sha256(body)> to rawURL and signs the resulting URL alone. It
// returns the new URL and the X-Twilio-Signature value. rawURL must not already
// carry bodySHA256.
func TwilioSignJSON(token, rawURL string, body []byte) (string, string) {
	base, fragment, hasFragment := strings.Cut(rawURL, "#")
	sep := "&"
	if _, query, ok := strings.Cut(base, "?"); !ok {
		sep = "?"
	} else if query == "" || strings.HasSuffix(query, "&") {
		sep = ""
	}
	signed := base + sep + bodySHA256Param + "=" + bodyDigest(body)
	if hasFragment {
		// Twilio never sends a fragment, but keep one where a URL parser expects it.
		signed += "#" + fragment
	}
	return signed, TwilioSign(token, signed, nil)
}

// VerifyTwilio checks an X-Twilio-Signature header for a request to rawURL (see
// TwilioURL) with the given Content-Type and raw body.
//
// A form content type (application/x-www-form-urlencoded) selects form mode: the
// body is decoded with ParseForm (a bad escape is ErrMalformed) and URL + sorted
// parameters are signed. Any other content type selects body mode: rawURL must carry
// bodySHA256, which must equal hex(sha256(body)), and the URL alone is signed. As in
// twilio-go's ValidateBody, a body-mode request whose URL has no bodySHA256 is checked
// as a form instead (ErrMismatch if it does not decode as one); a GET with an empty
// body is covered by that path too.
//
// The URL is tried as given and with its port toggled, and the header is compared in
// constant time without trimming.
func VerifyTwilio(token, rawURL, contentType string, body []byte, header string) error {
	if header == "" {
		return fmt.Errorf("twilio: %w", ErrMissing)
	}
	if token == "" {
		// An empty key is public knowledge; never accept a signature made with it.
		return fmt.Errorf("twilio: empty auth token: %w", ErrMismatch)
	}
	digest, hasDigest := queryParam(rawURL, bodySHA256Param)
	if isFormContentType(contentType) {
		params, err := ParseForm(body)
		if err != nil {
			return fmt.Errorf("twilio: %w", err)
		}
		return verifyTwilioURL(token, rawURL, params, header)
	}
	if !hasDigest {
		// twilio-go's fallback. A body that is not a form cannot have been signed
		// this way, so that is a mismatch rather than a malformed form.
		params, err := ParseForm(body)
		if err != nil {
			return fmt.Errorf("twilio: no %s in URL and body is not a form: %w", bodySHA256Param, ErrMismatch)
		}
		return verifyTwilioURL(token, rawURL, params, header)
	}
	if err := verifyTwilioURL(token, rawURL, nil, header); err != nil {
		return err
	}
	if !constantEqual(bodyDigest(body), digest) {
		return fmt.Errorf("twilio: body does not match %s: %w", bodySHA256Param, ErrMismatch)
	}
	return nil
}

// verifyTwilioURL accepts header if it signs rawURL or its port-toggled variant.
func verifyTwilioURL(token, rawURL string, params url.Values, header string) error {
	ok := constantEqual(TwilioSign(token, rawURL, params), header)
	if alt, toggled := togglePort(rawURL); toggled {
		// Non-short-circuit OR: both candidates are always computed.
		ok = constantEqual(TwilioSign(token, alt, params), header) || ok
	}
	if !ok {
		return fmt.Errorf("twilio: %w", ErrMismatch)
	}
	return nil
}

// isFormContentType reports whether contentType is application/x-www-form-urlencoded,
// ignoring case and parameters such as charset.
func isFormContentType(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/x-www-form-urlencoded")
}

// togglePort returns rawURL with its port removed when it has one, or with the
// scheme's default port (443 for https, 80 otherwise, as twilio-go does) added when it
// has none. It works on the string so that nothing else in the URL is re-encoded or
// case-folded; the official libraries re-serialise, which is where they disagree.
// It reports false when rawURL has no recognisable authority.
func togglePort(rawURL string) (string, bool) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || scheme == "" {
		return "", false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo := ""
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, authority = authority[:at+1], authority[at+1:]
	}
	host, port, ok := splitHostPort(authority)
	if !ok || host == "" {
		return "", false
	}
	if port == "" {
		port = ":80"
		if strings.EqualFold(scheme, "https") {
			port = ":443"
		}
	} else {
		port = ""
	}
	return scheme + "://" + userinfo + host + port + tail, true
}

// splitHostPort splits "host[:port]" (host may be a bracketed IPv6 literal) into the
// host and the ":port" suffix, which is "" when absent. A present but empty port
// ("h:") counts as present. It reports false for a non-numeric port or an
// unbracketed IPv6 address.
func splitHostPort(authority string) (host, port string, ok bool) {
	hostEnd := strings.IndexByte(authority, ':')
	if strings.HasPrefix(authority, "[") {
		hostEnd = strings.IndexByte(authority, ']') + 1
		if hostEnd == 0 || (hostEnd < len(authority) && authority[hostEnd] != ':') {
			return "", "", false
		}
	}
	if hostEnd < 0 || hostEnd == len(authority) {
		return authority, "", true
	}
	host, port = authority[:hostEnd], authority[hostEnd:]
	for _, c := range port[1:] {
		if c < '0' || c > '9' {
			return "", "", false
		}
	}
	return host, port, true
}
