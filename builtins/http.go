package builtins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// httpDefs are the outbound calls of DIALECT §10: GET url, POST/PUT/PATCH url,
// data, DELETE HTTP url, HTTP REQUEST method, url[, data], and the per-run
// headers of SET HEADER / CLEAR HEADERS.
func httpDefs(d Deps) []Def {
	c := &httpCaller{client: d.HTTP}
	return []Def{
		{Builtin: spec("GET", 1, 1), Fn: c.verb(http.MethodGet)},
		{Builtin: spec("POST", 2, 2), Fn: c.verb(http.MethodPost)},
		{Builtin: spec("PUT", 2, 2), Fn: c.verb(http.MethodPut)},
		{Builtin: spec("PATCH", 2, 2), Fn: c.verb(http.MethodPatch)},
		{Builtin: spec("DELETE HTTP", 1, 1), Fn: c.verb(http.MethodDelete)},
		{Builtin: spec("HTTP REQUEST", 2, 3), Fn: c.request},
		{Builtin: stmt("SET HEADER", 2, 2), Fn: fnSetCallHeader},
		{Builtin: stmt("CLEAR HEADERS", 0, 0), Fn: fnClearHeaders},
	}
}

type httpCaller struct {
	client *delivery.HTTPClient
}

// verb is GET, POST, PUT, PATCH or DELETE HTTP: a 2xx answer gives its body,
// any other status fails naming the method, the URL without query and the
// status (408, 429 and 5xx transient, so a spawned SUB retries).
func (c *httpCaller) verb(method string) runtime.BuiltinFunc {
	return func(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		var data runtime.Value
		if len(args) > 1 {
			data = args[1]
		}
		u, resp, err := c.call(th, site, method, args[0].String(), data)
		if err != nil {
			return nil, err
		}
		if resp.Status/100 != 2 {
			return nil, delivery.NewStatusError(method, u, resp.Status)
		}
		return answerValue(resp), nil
	}
}

// request is HTTP REQUEST: it never fails on status and gives
// {"status": n, "headers": {lower-case name: value}, "body": ...}.
func (c *httpCaller) request(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	method := strings.ToUpper(strings.TrimSpace(args[0].String()))
	if !httpguts.ValidHeaderFieldName(method) { // a method is a token, as a header name is
		return nil, fmt.Errorf("HTTP REQUEST: %q is not an HTTP method", args[0].String())
	}
	var data runtime.Value
	if len(args) > 2 {
		data = args[2]
	}
	_, resp, err := c.call(th, site, method, args[1].String(), data)
	if err != nil {
		return nil, err
	}
	if err := th.Alloc(len(resp.Body) + 256); err != nil { // the object around the body
		return nil, err
	}
	return responseObject(resp), nil
}

// call makes one logged outbound call with the run's headers.
func (c *httpCaller) call(th *runtime.Thread, site *lang.CallExpr, method, rawURL string, data runtime.Value) (*url.URL, *delivery.HTTPResponse, error) {
	if c.client == nil {
		return nil, nil, errors.New(site.Name + ": no HTTP client is configured")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("%s: %q is not an http(s) URL", site.Name, shortURL(rawURL))
	}
	req := delivery.HTTPRequest{Method: method, URL: rawURL, Header: runHeaders(th).Clone()}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if body := requestBody(data, req.Header); body != nil {
		if err := th.Alloc(len(body)); err != nil {
			return nil, nil, err
		}
		req.Body = body
	}
	start := time.Now()
	resp, err := c.client.Do(th.Context(), req)
	log := th.Logger().With("method", method, "host", u.Host, "path", u.EscapedPath(),
		"duration_ms", time.Since(start).Milliseconds(), "at", site.P.Short())
	if err != nil {
		log.Warn("http call failed", "error", err.Error())
		return nil, nil, fmt.Errorf("%s %s: %w", method, delivery.URLWithoutQuery(u), err)
	}
	log.Info("http call", "status", resp.Status)
	// The body is already read (bounded by the client's cap); the run's memory
	// budget still decides whether the run may keep it.
	if err := th.Alloc(len(resp.Body)); err != nil {
		return nil, nil, err
	}
	return u, resp, nil
}

// requestBody encodes data: JSON as application/json, anything else as text,
// unless SET HEADER chose the Content-Type. No data, or "", sends no body.
func requestBody(data runtime.Value, h http.Header) []byte {
	ct := "text/plain; charset=utf-8"
	var body []byte
	switch v := data.(type) {
	case nil:
		return nil
	case runtime.JSON:
		ct, body = "application/json", []byte(v)
	default:
		if body = []byte(data.String()); len(body) == 0 {
			return nil
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", ct)
	}
	return body
}

// isJSONAnswer reports whether an answer says it is JSON (application/json or
// any +json type).
func isJSONAnswer(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// answerValue is an answer's body: JSON when it says so and is valid, else a string.
func answerValue(resp *delivery.HTTPResponse) runtime.Value {
	if isJSONAnswer(resp.Header) {
		if raw, err := validJSON(resp.Body); err == nil && len(raw) > 0 {
			return runtime.JSON(raw)
		}
	}
	return runtime.Str(resp.Body)
}

// responseObject renders HTTP REQUEST's result. Header names are lower-case;
// repeated headers are joined with ", ".
func responseObject(resp *delivery.HTTPResponse) runtime.Value {
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"status":%d,"headers":{`, resp.Status)
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, strings.ToLower(k))
		b.WriteByte(':')
		writeJSONString(&b, strings.Join(resp.Header[k], ", "))
	}
	b.WriteString(`},"body":`)
	switch v := answerValue(resp).(type) {
	case runtime.JSON:
		b.Write(v)
	default:
		writeJSONString(&b, v.String())
	}
	b.WriteByte('}')
	return runtime.JSON(b.Bytes())
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(strings.ToValidUTF8(s, "\uFFFD"))
	b.Truncate(b.Len() - 1) // Encode's newline
}

// headersKey keys the run's outbound headers in runtime.Thread's per-run state.
type headersKey struct{}

func runHeaders(th *runtime.Thread) http.Header {
	h, _ := th.Local(headersKey{}).(http.Header)
	return h
}

// fnSetCallHeader adds a header to this run's later calls, in CALLed SUBs too.
func fnSetCallHeader(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	name, value := strings.TrimSpace(args[0].String()), args[1].String()
	if !httpguts.ValidHeaderFieldName(name) {
		return nil, fmt.Errorf("SET HEADER: %q is not a header name", shortURL(name))
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return nil, fmt.Errorf("SET HEADER: the value of %s contains a line break or a control character", name)
	}
	h := runHeaders(th)
	if h == nil {
		h = http.Header{}
		th.SetLocal(headersKey{}, h)
	}
	h.Set(name, value)
	return nil, nil
}

func fnClearHeaders(th *runtime.Thread, _ *lang.CallExpr, _ []runtime.Value) (runtime.Value, error) {
	th.SetLocal(headersKey{}, http.Header(nil))
	return nil, nil
}

// shortURL cuts text quoted in an error, which may be long or carry a token.
func shortURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
