package signature

import (
	"fmt"
	"net/url"
	"strings"
)

// ParsePublicURL validates and normalises a public base URL (GBHOOK_PUBLIC_URL,
// or the address simulate connects to): an absolute http or https URL with a
// host, optionally userinfo, a port and a path prefix, and no query or
// fragment, since Twilio appends the request's own path and query. Trailing
// slashes are dropped; nothing else is re-encoded or case-folded, because the
// URL is signed exactly as configured. "" stays "" (unset).
func ParsePublicURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL such as https://hooks.example.com", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		return "", fmt.Errorf("%q must not have a query or fragment", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}
