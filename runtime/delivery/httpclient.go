package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Outbound HTTP for scripts (GET, POST, HTTP REQUEST...). The client refuses
// private addresses on the dialled IP itself, so DNS rebinding and redirects
// cannot reach the host's own network.

// HTTP defaults (DIALECT §10).
const (
	DefaultHTTPTimeout = 10 * time.Second
	DefaultHTTPMaxBody = 4 << 20
	maxRedirects       = 5
)

// HTTPConfig bounds the outbound client. Zero fields take their defaults.
type HTTPConfig struct {
	Timeout      time.Duration // per call; the run's own deadline may cut it shorter
	MaxBody      int64         // largest answer body read
	AllowPrivate bool          // let scripts reach loopback, private and link-local addresses
	UserAgent    string        // default gbhook/<module version>
}

// HTTPCall is what may be known of one call: never its query, headers or
// bodies, where tokens often travel.
type HTTPCall struct {
	Method, Scheme, Host, Path string
	Status                     int // 0: no answer
	Duration                   time.Duration
	Err                        error // no answer (a non-2xx status is an answer)
}

// Outcome is the call's error as the builtins see it: Err, or for a non-2xx
// answer the StatusError GET would fail with (transient or not).
func (c HTTPCall) Outcome() error {
	if c.Err != nil || c.Status/100 == 2 {
		return c.Err
	}
	return NewStatusError(c.Method, &url.URL{Scheme: c.Scheme, Host: c.Host, Path: c.Path}, c.Status)
}

// HTTPConfigFromEnv reads GBHOOK_HTTP_TIMEOUT, GBHOOK_HTTP_MAX_BODY and GBHOOK_HTTP_ALLOW_PRIVATE. A malformed
// value is an error, so that a typo shows at start-up.
func HTTPConfigFromEnv(getenv func(string) string) (HTTPConfig, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var c HTTPConfig
	if s := strings.TrimSpace(getenv("GBHOOK_HTTP_TIMEOUT")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("delivery: GBHOOK_HTTP_TIMEOUT %q is not a positive duration like 10s", s)
		}
		c.Timeout = d
	}
	if s := strings.TrimSpace(getenv("GBHOOK_HTTP_MAX_BODY")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("delivery: GBHOOK_HTTP_MAX_BODY %q is not a positive number of bytes", s)
		}
		c.MaxBody = n
	}
	switch s := strings.TrimSpace(getenv("GBHOOK_HTTP_ALLOW_PRIVATE")); s {
	case "", "0", "false":
	case "1", "true":
		c.AllowPrivate = true
	default:
		return c, fmt.Errorf("delivery: GBHOOK_HTTP_ALLOW_PRIVATE %q: use 1 or 0", s)
	}
	return c, nil
}

// HTTPRequest is one outbound call.
type HTTPRequest struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte // nil: no body
}

// HTTPResponse is an answer read whole (up to the cap).
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// HTTPClient makes scripts' outbound calls. It is safe for concurrent use.
type HTTPClient struct {
	// OnCall, set before the first call, sees each call once it ends (for
	// the request history and the metrics). nil: nobody.
	OnCall func(ctx context.Context, c HTTPCall)
	cfg    HTTPConfig
	client *http.Client
	guard  *guard
}

// NewHTTPClient makes a client. It never uses a proxy from the environment:
// the guard must see the address actually dialled.
func NewHTTPClient(c HTTPConfig) *HTTPClient {
	if c.Timeout <= 0 {
		c.Timeout = DefaultHTTPTimeout
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultHTTPMaxBody
	}
	if c.UserAgent == "" {
		c.UserAgent = "gbhook/" + moduleVersion()
	}
	g := &guard{allowPrivate: c.AllowPrivate}
	d := &net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second, Control: g.control}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = d.DialContext
	h := &HTTPClient{cfg: c, guard: g}
	h.client = &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	return h
}

// Timeout is the per-call timeout.
func (h *HTTPClient) Timeout() time.Duration { return h.cfg.Timeout }

// MaxBody is the answer body cap.
func (h *HTTPClient) MaxBody() int64 { return h.cfg.MaxBody }

// moduleVersion is the main module's version, "dev" in a source build.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "dev"
}

// Errors of an outbound call that got no usable answer.
var (
	ErrAddressRefused = errors.New("address refused")
	ErrBodyTooLarge   = errors.New("answer body over the size cap")
	errRedirects      = errors.New("stopped after 5 redirects")
	errDowngrade      = errors.New("refused a redirect from https to http")
)

// checkRedirect follows only GET, at most 5 hops, never from https to http.
// Other methods get the 3xx answer itself.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if via[0].Method != http.MethodGet {
		return http.ErrUseLastResponse
	}
	if len(via) > maxRedirects {
		return errRedirects
	}
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return errDowngrade
	}
	return nil
}

// Do makes one call, bounded by the timeout and by ctx, and reads the answer
// up to the cap. Any answer, whatever its status, is returned without error.
// A call that got no answer fails: refused addresses, an over-cap body and bad
// URLs are permanent; network errors and timeouts are *TransientError.
func (h *HTTPClient) Do(ctx context.Context, r HTTPRequest) (*HTTPResponse, error) {
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", r.URL)
	}
	start := time.Now()
	resp, err := h.do(ctx, r)
	if h.OnCall != nil {
		c := HTTPCall{Method: r.Method, Scheme: u.Scheme, Host: u.Host, Path: u.EscapedPath(), Duration: time.Since(start), Err: err}
		if resp != nil {
			c.Status = resp.Status
		}
		h.OnCall(ctx, c)
	}
	return resp, err
}

func (h *HTTPClient) do(ctx context.Context, r HTTPRequest) (*HTTPResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", h.cfg.UserAgent)
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, h.callError(ctx, err)
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp.Body, h.cfg.MaxBody)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%w of %d bytes", ErrBodyTooLarge, h.cfg.MaxBody)
	}
	if err != nil {
		return nil, h.callError(ctx, err)
	}
	return &HTTPResponse{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// callError drops the URL that net/http puts in its errors (it may carry a
// query with a token) and classifies what is left.
func (h *HTTPClient) callError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var re *refusedError
	if errors.As(err, &re) {
		return re // without net's "dial tcp ..." wrapping
	}
	switch {
	case errors.Is(err, errRedirects), errors.Is(err, errDowngrade):
		return err
	case ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded):
		return &TransientError{Service: "http", Err: fmt.Errorf("no answer within the timeout: %w", err)}
	}
	return &TransientError{Service: "http", Err: err}
}

// guard refuses loopback, private, link-local and unspecified addresses at
// connect time, after DNS resolution, on every hop.
type guard struct {
	allowPrivate bool
	allow        map[netip.AddrPort]bool // test seam: exact addresses let through
}

func (g *guard) control(_, address string, _ syscall.RawConn) error {
	if g.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusedError{addr: address, kind: "unreadable"}
	}
	if g.allow[ap] {
		return nil
	}
	if kind := refusedKind(ap.Addr().Unmap()); kind != "" {
		return &refusedError{addr: ap.Addr().String(), kind: kind}
	}
	return nil
}

// refusedError is ErrAddressRefused with the address and why.
type refusedError struct{ addr, kind string }

func (e *refusedError) Error() string {
	article := "a"
	if strings.IndexByte("aeiou", e.kind[0]) >= 0 {
		article = "an"
	}
	return fmt.Sprintf("%s: %s is %s %s address (set GBHOOK_HTTP_ALLOW_PRIVATE=1 to allow)", ErrAddressRefused, e.addr, article, e.kind)
}

func (e *refusedError) Unwrap() error { return ErrAddressRefused }

// refusedKind names why an address is refused, or "" when it may be dialled.
func refusedKind(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "link-local"
	case a.IsUnspecified(), a.Is4() && a.As4()[0] == 0: // 0.0.0.0/8 reaches this host on Linux
		return "unspecified"
	}
	return ""
}

// StatusError is a non-2xx answer to GET, POST, PUT, PATCH or DELETE HTTP.
// URL is without its query, which may carry a token.
type StatusError struct {
	Method, URL string
	Status      int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
}

// NewStatusError makes the error for a non-2xx answer: 408, 429 and 5xx are
// transient (a spawned SUB retries), every other status permanent.
func NewStatusError(method string, u *url.URL, status int) error {
	e := &StatusError{Method: method, URL: URLWithoutQuery(u), Status: status}
	if status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500 {
		return &TransientError{Service: "http", Err: e}
	}
	return e
}

// URLWithoutQuery renders u without query, fragment or userinfo: what may be logged.
func URLWithoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment, c.User, c.ForceQuery = "", "", "", nil, false
	return c.String()
}
