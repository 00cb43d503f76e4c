package server

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/signature"
)

func TestParseTrustProxy(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // the prefixes, space-separated
		err      string
	}{
		{"unset", "", "", ""},
		{"one CIDR", "10.0.0.0/8", "10.0.0.0/8", ""},
		{"list with spaces and an empty entry", " 10.0.0.0/8, 192.168.1.0/24 ,, ", "10.0.0.0/8 192.168.1.0/24", ""},
		{"single IPv4 address", "127.0.0.1", "127.0.0.1/32", ""},
		{"single IPv6 address", "::1", "::1/128", ""},
		{"IPv6 CIDR", "fd00::/8", "fd00::/8", ""},
		{"host bits masked", "10.1.2.3/8", "10.0.0.0/8", ""},
		{"IPv4-mapped address unmapped", "::ffff:10.0.0.1", "10.0.0.1/32", ""},
		{"host name", "proxy.local", "", `trusted proxy "proxy.local" is neither a CIDR such as 10.0.0.0/8 nor an IP address`},
		{"bad mask", "10.0.0.0/33", "", `trusted proxy "10.0.0.0/33" is neither a CIDR such as 10.0.0.0/8 nor an IP address`},
		{"address with a zone", "fe80::1%eth0", "", `trusted proxy "fe80::1%eth0" is neither a CIDR such as 10.0.0.0/8 nor an IP address`},
		{"semicolon list", "10.0.0.0/8;127.0.0.1", "",
			`trusted proxy "10.0.0.0/8;127.0.0.1" is neither a CIDR such as 10.0.0.0/8 nor an IP address`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTrustProxy(tc.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			var s []string
			for _, p := range got {
				s = append(s, p.String())
			}
			if strings.Join(s, " ") != tc.want || gotErr != tc.err {
				t.Errorf("ParseTrustProxy(%q) = %q, %q; want %q, %q", tc.in, strings.Join(s, " "), gotErr, tc.want, tc.err)
			}
		})
	}
}

// X-Forwarded-Proto and X-Forwarded-Host change the URL a Twilio signature
// is checked against only with TrustProxy, and only from a trusted peer.
// Over real HTTP from 127.0.0.1.
func TestForwardedHeadersNeedTrust(t *testing.T) {
	const (
		forwarded = "https://hooks.example.com/voice?x=1"
		local     = "http://LISTEN/voice?x=1" // LISTEN: the listen address
	)
	tests := []struct {
		name      string
		trust     string
		publicURL string
		xfp, xfh  string
		signedFor string
		status    int
		body      string
	}{
		{"no forwarded headers", "", "", "", "", local, 200, "hi +15551234567"},
		{"spoofed X-Forwarded-Host does not change the URL without trust", "", "", "", "hooks.example.com",
			local, 200, "hi +15551234567"},
		{"forwarded URL refused without trust", "", "", "https", "hooks.example.com", forwarded, 403, "forbidden"},
		{"X-Forwarded-Proto alone refused without trust", "", "", "https", "", "https://LISTEN/voice?x=1", 403, "forbidden"},
		{"forwarded URL from a trusted address", "127.0.0.1/32", "", "https", "hooks.example.com", forwarded,
			200, "hi +15551234567"},
		{"trusted as a single address", "127.0.0.1", "", "https", "hooks.example.com", forwarded,
			200, "hi +15551234567"},
		{"trusted peer, local URL no longer matches", "127.0.0.1/32", "", "https", "hooks.example.com", local,
			403, "forbidden"},
		{"trust set for another CIDR", "10.0.0.0/8", "", "https", "hooks.example.com", forwarded, 403, "forbidden"},
		{"X-Forwarded-Proto alone from a trusted address", "127.0.0.0/8", "", "https", "", "https://LISTEN/voice?x=1",
			200, "hi +15551234567"},
		{"appended values: the trusted peer's own, the last, counts", "127.0.0.1/32", "", "http, https",
			"evil.example, hooks.example.com", forwarded, 200, "hi +15551234567"},
		{"an X-Forwarded-Host that would reshape the URL is ignored", "127.0.0.1/32", "", "",
			"hooks.example.com/x?", local, 200, "hi +15551234567"},
		{"an unknown X-Forwarded-Proto is ignored", "127.0.0.1/32", "", "ftp", "", local, 200, "hi +15551234567"},
		{"the public URL wins over trusted forwarded headers", "127.0.0.1/32", "https://pub.example/pre", "https",
			"hooks.example.com", "https://pub.example/pre/voice?x=1", 200, "hi +15551234567"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trust, err := ParseTrustProxy(tc.trust)
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, Config{TrustProxy: trust, PublicURL: tc.publicURL,
				Getenv: env(TwilioSecretEnv, token)}, signedSrc, runtime.Options{})
			addr := h.serve(t)
			signed := strings.Replace(tc.signedFor, "LISTEN", addr, 1)
			r, err := http.NewRequest("POST", "http://"+addr+"/voice?x=1", strings.NewReader(formBody))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			params, _ := url.ParseQuery(formBody)
			r.Header.Set("X-Twilio-Signature", signature.TwilioSign(token, signed, params))
			if tc.xfp != "" {
				r.Header.Set("X-Forwarded-Proto", tc.xfp)
			}
			if tc.xfh != "" {
				r.Header.Set("X-Forwarded-Host", tc.xfh)
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(resp)
			resp.Body.Close()
			if resp.StatusCode != tc.status || body != tc.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}

// An IPv4 peer seen as IPv4-mapped IPv6 still matches an IPv4 prefix.
func TestTrustedPeerAddressForms(t *testing.T) {
	trust, _ := ParseTrustProxy("10.0.0.0/8, ::1")
	cfg := &Config{TrustProxy: trust}
	tests := []struct {
		name, remote string
		want         bool
	}{
		{"IPv4 inside", "10.1.2.3:5000", true},
		{"IPv4 outside", "11.1.2.3:5000", false},
		{"IPv4-mapped IPv6 inside", "[::ffff:10.1.2.3]:5000", true},
		{"IPv6 single address", "[::1]:5000", true},
		{"IPv6 with a zone", "[::1%lo]:5000", true},
		{"not an address", "pipe", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote}
			if got := cfg.fromTrustedProxy(r); got != tc.want {
				t.Errorf("fromTrustedProxy(%q) = %v, want %v", tc.remote, got, tc.want)
			}
		})
	}
	if (&Config{}).fromTrustedProxy(&http.Request{RemoteAddr: "10.1.2.3:1"}) {
		t.Error("no TrustProxy trusted a peer")
	}
}

// Over TLS, the signed URL is https:// + Host, with no proxy involved; a
// spoofed X-Forwarded-Proto cannot turn it back to http.
func TestTLSConnectionSignsHTTPS(t *testing.T) {
	certs := httptest.NewTLSServer(http.NotFoundHandler()) // for its certificate and client
	defer certs.Close()
	h := newHarness(t, Config{Getenv: env(TwilioSecretEnv, token)}, signedSrc, runtime.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.srv.Serve(tls.NewListener(ln, certs.TLS.Clone())) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.srv.Shutdown(ctx)
		<-done
	}()
	addr := ln.Addr().String()
	tests := []struct {
		name, signedFor, xfp string
		status               int
	}{
		{"signed for https", "https://" + addr + "/voice?x=1", "", 200},
		{"signed for http", "http://" + addr + "/voice?x=1", "", 403},
		{"spoofed X-Forwarded-Proto http", "http://" + addr + "/voice?x=1", "http", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest("POST", "https://"+addr+"/voice?x=1", strings.NewReader(formBody))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			params, _ := url.ParseQuery(formBody)
			r.Header.Set("X-Twilio-Signature", signature.TwilioSign(token, tc.signedFor, params))
			if tc.xfp != "" {
				r.Header.Set("X-Forwarded-Proto", tc.xfp)
			}
			resp, err := certs.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			readAll(resp)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("got %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}
