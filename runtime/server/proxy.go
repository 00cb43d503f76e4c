package server

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustProxy parses --trust-proxy (GBHOOK_TRUST_PROXY): comma-separated
// CIDRs such as 10.0.0.0/8, or single addresses, which count as /32 or /128.
// Empty entries are skipped, so "" trusts no one.
func ParseTrustProxy(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("trusted proxy %q is neither a CIDR such as 10.0.0.0/8 nor an IP address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// origin is the scheme and host the client called, to rebuild the URL Twilio
// signed: from X-Forwarded-Proto and X-Forwarded-Host when the connection
// comes from a trusted proxy, else from the connection (TLS or not) and the
// Host header. Untrusted X-Forwarded-* headers are ignored: anyone can send
// them.
func (cfg *Config) origin(r *http.Request) (scheme, host string) {
	scheme, host = "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if !cfg.fromTrustedProxy(r) {
		return scheme, host
	}
	p := strings.ToLower(lastValue(r.Header, "X-Forwarded-Proto"))
	if p == "http" || p == "https" {
		scheme = p
	}
	if h := lastValue(r.Header, "X-Forwarded-Host"); saneHost(h) {
		host = h
	}
	return scheme, host
}

// fromTrustedProxy reports whether the peer's address is in cfg.TrustProxy.
func (cfg *Config) fromTrustedProxy(r *http.Request) bool {
	if len(cfg.TrustProxy) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap().WithZone("")
	for _, p := range cfg.TrustProxy {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// lastValue is the last comma-separated value of a header: the one our
// trusted peer wrote, when proxies append instead of replacing.
func lastValue(h http.Header, name string) string {
	vs := h.Values(name)
	if len(vs) == 0 {
		return ""
	}
	v := vs[len(vs)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// saneHost accepts a host[:port] that cannot change the URL's shape.
func saneHost(h string) bool {
	return h != "" && !strings.ContainsAny(h, "/?#@\\ \t")
}
