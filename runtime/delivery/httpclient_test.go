package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener accepts and counts connections, so a test can prove that
// none was made.
type countingListener struct {
	net.Listener
	accepts atomic.Int64
}

func listenCounting(t *testing.T, network, addr string) *countingListener {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		return nil
	}
	c := &countingListener{Listener: l}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.accepts.Add(1)
			conn.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return c
}

func TestGuardRefusesPrivateAddressesBeforeConnecting(t *testing.T) {
	v4 := listenCounting(t, "tcp4", "127.0.0.1:0")
	port := v4.Addr().(*net.TCPAddr).Port
	v6 := listenCounting(t, "tcp6", "[::1]:0")
	v6port := 9
	if v6 != nil {
		v6port = v6.Addr().(*net.TCPAddr).Port
	}
	c := NewHTTPClient(HTTPConfig{Timeout: 5 * time.Second})
	tests := []struct {
		name, url, want string
	}{
		{"loopback v4", fmt.Sprintf("http://127.0.0.1:%d/x", port),
			"address refused: 127.0.0.1 is a loopback address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"localhost name", fmt.Sprintf("http://localhost:%d/x", port), "address refused: "},
		{"private 10/8", "http://10.0.0.1/x",
			"address refused: 10.0.0.1 is a private address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"link-local metadata", "http://169.254.169.254/latest/meta-data/",
			"address refused: 169.254.169.254 is a link-local address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"loopback v6", fmt.Sprintf("http://[::1]:%d/x", v6port),
			"address refused: ::1 is a loopback address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"unspecified", fmt.Sprintf("http://0.0.0.0:%d/x", port),
			"address refused: 0.0.0.0 is an unspecified address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"this network 0/8", fmt.Sprintf("http://0.1.2.3:%d/x", port),
			"address refused: 0.1.2.3 is an unspecified address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"private v6 unique local", "http://[fd00::1]/x",
			"address refused: fd00::1 is a private address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
		{"v4-mapped v6 loopback", fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/x", port),
			"address refused: 127.0.0.1 is a loopback address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := c.Do(context.Background(), HTTPRequest{Method: "GET", URL: tc.url})
			if err == nil {
				t.Fatal("call went through")
			}
			if !errors.Is(err, ErrAddressRefused) || IsTransient(err) {
				t.Fatalf("err = %v (transient %v), want a permanent ErrAddressRefused", err, IsTransient(err))
			}
			// localhost may resolve to ::1 or 127.0.0.1, both refused: only the prefix is fixed.
			if strings.HasSuffix(tc.want, ": ") && !strings.HasPrefix(err.Error(), tc.want) || !strings.HasSuffix(tc.want, ": ") && err.Error() != tc.want {
				t.Fatalf("err = %q, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("refusal took %v: a connection was attempted", d)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let a stray accept be counted
	if n := v4.accepts.Load(); n != 0 {
		t.Errorf("the loopback listener accepted %d connections", n)
	}
	if v6 != nil && v6.accepts.Load() != 0 {
		t.Errorf("the ::1 listener accepted %d connections", v6.accepts.Load())
	}
}

func TestGuardRefusesRedirectToLoopback(t *testing.T) {
	target := listenCounting(t, "tcp4", "127.0.0.1:0")
	targetURL := "http://" + target.Addr().String() + "/internal"
	allowed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, targetURL, http.StatusFound)
	}))
	defer allowed.Close()
	c := NewHTTPClient(HTTPConfig{Timeout: 5 * time.Second})
	c.guard.allow = map[netip.AddrPort]bool{netip.MustParseAddrPort(allowed.Listener.Addr().String()): true}

	_, err := c.Do(context.Background(), HTTPRequest{Method: "GET", URL: allowed.URL + "/start"})
	want := "address refused: 127.0.0.1 is a loopback address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	time.Sleep(50 * time.Millisecond)
	if n := target.accepts.Load(); n != 0 {
		t.Errorf("the redirect target accepted %d connections", n)
	}
	// The seam lets exactly that address through: the allowed server itself answers.
	resp, err := c.Do(context.Background(), HTTPRequest{Method: "POST", URL: allowed.URL + "/start"})
	if err != nil || resp.Status != http.StatusFound {
		t.Fatalf("POST to the allowed server: %v, %+v", err, resp)
	}
}

func TestHTTPClientRedirects(t *testing.T) {
	var hops atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/final" {
			io.WriteString(w, r.Method+" final")
			return
		}
		n := hops.Add(1)
		var left int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &left)
		if left <= 0 {
			http.Redirect(w, r, "/final", http.StatusFound)
			return
		}
		_ = n
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", left-1), http.StatusFound)
	}))
	defer srv.Close()
	c := NewHTTPClient(HTTPConfig{AllowPrivate: true, Timeout: 5 * time.Second})
	tests := []struct {
		name, method, path string
		status             int
		body, err          string
	}{
		{"GET follows five", "GET", "/hop/4", 200, "GET final", ""},
		{"GET stops after five", "GET", "/hop/5", 0, "", "stopped after 5 redirects"},
		{"POST is not followed", "POST", "/hop/0", 302, "", ""},
		{"DELETE is not followed", "DELETE", "/hop/0", 302, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Do(context.Background(), HTTPRequest{Method: tc.method, URL: srv.URL + tc.path})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status || (tc.body != "" && string(resp.Body) != tc.body) {
				t.Fatalf("got %d %q, want %d %q", resp.Status, resp.Body, tc.status, tc.body)
			}
		})
	}
}

func TestHTTPClientRefusesHTTPSToHTTPRedirect(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain") }))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x", http.StatusMovedPermanently)
	}))
	defer secure.Close()
	c := NewHTTPClient(HTTPConfig{AllowPrivate: true, Timeout: 5 * time.Second})
	c.client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: secure.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	_, err := c.Do(context.Background(), HTTPRequest{Method: "GET", URL: secure.URL + "/a"})
	if err == nil || err.Error() != "refused a redirect from https to http" {
		t.Fatalf("err = %v", err)
	}
}

func TestHTTPClientBounds(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/big":
			chunk := strings.Repeat("x", 1<<20)
			for range 10 {
				io.WriteString(w, chunk)
			}
		case "/ua":
			io.WriteString(w, r.Header.Get("User-Agent"))
		}
	}))
	defer srv.Close()
	defer close(release)
	c := NewHTTPClient(HTTPConfig{AllowPrivate: true, Timeout: 300 * time.Millisecond})

	_, err := c.Do(context.Background(), HTTPRequest{Method: "GET", URL: srv.URL + "/slow"})
	if want := "no answer within the timeout: context deadline exceeded (transient)"; err == nil || err.Error() != want || !IsTransient(err) {
		t.Errorf("slow: err = %v, want %q", err, want)
	}

	c = NewHTTPClient(HTTPConfig{AllowPrivate: true, Timeout: 10 * time.Second})
	_, err = c.Do(context.Background(), HTTPRequest{Method: "GET", URL: srv.URL + "/big"})
	if want := "answer body over the size cap of 4194304 bytes"; err == nil || err.Error() != want || IsTransient(err) {
		t.Errorf("big: err = %v, want %q", err, want)
	}

	resp, err := c.Do(context.Background(), HTTPRequest{Method: "GET", URL: srv.URL + "/ua"})
	if err != nil || string(resp.Body) != "gbhook/dev" {
		t.Errorf("User-Agent: %v %q", err, resp.Body)
	}

	_, err = c.Do(context.Background(), HTTPRequest{Method: "GET", URL: "ftp://example.com/x"})
	if want := `"ftp://example.com/x" is not an http(s) URL`; err == nil || err.Error() != want {
		t.Errorf("ftp: err = %v", err)
	}
}

func TestStatusErrorClassification(t *testing.T) {
	u, _ := url.Parse("https://user:pw@api.example.com/v1/items?token=SECRET#frag")
	tests := []struct {
		status    int
		want      string
		transient bool
	}{
		{404, "GET https://api.example.com/v1/items: HTTP 404 Not Found", false},
		{400, "GET https://api.example.com/v1/items: HTTP 400 Bad Request", false},
		{408, "GET https://api.example.com/v1/items: HTTP 408 Request Timeout (transient)", true},
		{429, "GET https://api.example.com/v1/items: HTTP 429 Too Many Requests (transient)", true},
		{500, "GET https://api.example.com/v1/items: HTTP 500 Internal Server Error (transient)", true},
		{503, "GET https://api.example.com/v1/items: HTTP 503 Service Unavailable (transient)", true},
		{302, "GET https://api.example.com/v1/items: HTTP 302 Found", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			err := NewStatusError("GET", u, tc.status)
			if err.Error() != tc.want || IsTransient(err) != tc.transient {
				t.Fatalf("got %q transient=%v, want %q transient=%v", err, IsTransient(err), tc.want, tc.transient)
			}
		})
	}
}

func TestHTTPConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want HTTPConfig
		err  string
	}{
		{"defaults", nil, HTTPConfig{}, ""},
		{"all set", map[string]string{"GBHOOK_HTTP_TIMEOUT": "3s", "GBHOOK_HTTP_MAX_BODY": "1024", "GBHOOK_HTTP_ALLOW_PRIVATE": "1"},
			HTTPConfig{Timeout: 3 * time.Second, MaxBody: 1024, AllowPrivate: true}, ""},
		{"bad timeout", map[string]string{"GBHOOK_HTTP_TIMEOUT": "ten"}, HTTPConfig{},
			`delivery: GBHOOK_HTTP_TIMEOUT "ten" is not a positive duration like 10s`},
		{"bad size", map[string]string{"GBHOOK_HTTP_MAX_BODY": "4MiB"}, HTTPConfig{},
			`delivery: GBHOOK_HTTP_MAX_BODY "4MiB" is not a positive number of bytes`},
		{"bad flag", map[string]string{"GBHOOK_HTTP_ALLOW_PRIVATE": "yes"}, HTTPConfig{},
			`delivery: GBHOOK_HTTP_ALLOW_PRIVATE "yes": use 1 or 0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := HTTPConfigFromEnv(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestRefusedKind(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"93.184.216.34", ""},
		{"2606:4700:4700::1111", ""},
		{"8.8.8.8", ""},
		{"127.0.0.2", "loopback"},
		{"::1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"169.254.1.1", "link-local"},
		{"fe80::1", "link-local"},
		{"ff02::1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
	}
	for _, tc := range tests {
		if got := refusedKind(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.addr, got, tc.want)
		}
	}
}
