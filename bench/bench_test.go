package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/gbhook/gbhook/bench/native/nativeserver"
	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/signature"
)

// BenchmarkHandler runs each shipped handler without HTTP: gbhook's runtime
// (Machine.Exec, as the server calls it after the signature check) next to
// the hand-written Go function doing the same work. Delivery is in memory.
// Neither commits its jobs here (Exec returns them to the server, Messages to
// the handler): BenchmarkHTTP's "message" includes the commit.
func BenchmarkHandler(b *testing.B) {
	w := newWorldWith(b, discard(), discard(), memory)
	ctx := context.Background()
	for _, e := range endpoints(b) {
		u, err := url.Parse(e.target)
		if err != nil {
			b.Fatal(err)
		}
		h := findHandler(b, w.m.Program(), e.method, u.Path)
		tmpl := runtime.Request{Method: e.method, Path: u.Path, RawQuery: u.RawQuery,
			Header: http.Header{"Content-Type": {e.contentType}}, Body: e.body}
		b.Run(e.name+"/gbhook", func(b *testing.B) {
			run := gbhookWork(w.m, h, tmpl)
			b.ReportAllocs()
			for b.Loop() {
				if err := run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		native := nativeWork(b, w, e, u)
		b.Run(e.name+"/native", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := native(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// gbhookWork runs handler h for a copy of tmpl. The Request and the Response
// are the run's input and output buffers, made once as the Go function's
// inputs are: each call resets them and runs the whole handler into them,
// as the server does with its pooled Responses (runtime/server/dispatch.go).
func gbhookWork(m *runtime.Machine, h *lang.Handler, tmpl runtime.Request) func(ctx context.Context) error {
	req, resp := new(runtime.Request), new(runtime.Response)
	return func(ctx context.Context) error {
		*req = tmpl // a Request caches its parsed form and query: start clean
		_, _, err := m.ExecSteps(ctx, h, req, "req-bench", resp)
		if err == nil && (resp.Status != http.StatusOK || len(resp.Body) == 0) {
			err = fmt.Errorf("answered %d %q", resp.Status, resp.Body)
		}
		return err
	}
}

// nativeWork is the hand-written counterpart of e's handler body.
func nativeWork(b testing.TB, w *world, e endpoint, u *url.URL) func(ctx context.Context) error {
	nat := w.native
	switch e.name {
	case "voice":
		return func(context.Context) error {
			if len(nativeserver.VoiceTwiML(getenv)) == 0 {
				b.Fatal("empty TwiML")
			}
			return nil
		}
	case "gather":
		return func(ctx context.Context) error { _, err := nat.Gather(ctx, "req-bench", e.body); return err }
	case "verify":
		return func(context.Context) error {
			q, err := url.ParseQuery(u.RawQuery)
			if err != nil {
				return err
			}
			if status, _ := nativeserver.VerifyAnswer(getenv, q); status != http.StatusOK {
				b.Fatalf("status %d", status)
			}
			return nil
		}
	case "message":
		return func(ctx context.Context) error {
			jobs, err := nat.Messages(ctx, "req-bench", e.body)
			if len(jobs) != 1 {
				b.Fatalf("%d jobs", len(jobs))
			}
			return err
		}
	}
	b.Fatalf("no native work for %s", e.name)
	return nil
}

// BenchmarkHTTP is the whole request path through each server's
// http.Handler: routing, request id, signature check, the handler, the
// response and the log line (formatted, then discarded). "message" sends a
// new message id each time, so that both servers commit the job and its
// dedupe key to SQLite before answering (their workers run the jobs
// meanwhile, delivering in memory); "message-redelivered" sends the same
// one, which both recognise from their stores and do not run.
func BenchmarkHTTP(b *testing.B) {
	w := newWorldWith(b, discard(), discard(), memory)
	eps := endpoints(b)
	again := eps[len(eps)-1]
	again.name = "message-redelivered"
	for _, e := range append(eps, again) {
		for _, s := range []struct {
			name string
			h    http.Handler
		}{{"gbhook", w.gbhook}, {"native", w.native.Handler()}} {
			request := e.request
			if e.name == "message" {
				request = freshMessage(e)
			}
			w.idle(context.Background(), b) // no backlog of the previous run's jobs
			b.Run(e.name+"/"+s.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					s.h.ServeHTTP(rec, request())
					if rec.Code != http.StatusOK || e.name == "message" && rec.Body.String() != "OK" {
						b.Fatalf("%d %q", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

// messageSeq numbers the fresh message ids of BenchmarkHTTP.
var messageSeq atomic.Int64

// freshMessage makes requests for e's message, each with a new message id,
// signed.
func freshMessage(e endpoint) func() *http.Request {
	id := []byte(gjson.GetBytes(e.body, "entry.0.changes.0.value.messages.0.id").Str)
	return func() *http.Request {
		fresh := e
		fresh.body = bytes.Replace(e.body, id, fmt.Appendf(nil, "wamid.bench-%d", messageSeq.Add(1)), 1)
		fresh.header = http.Header{"X-Hub-Signature-256": {signature.MetaSign(benchEnv["META_APP_SECRET"], fresh.body)}}
		return fresh.request()
	}
}

// BenchmarkGetJSONPath is GET JSON PATH on the seed's WhatsApp payload: the
// builtin with a literal path (compiled at check time) and with a computed
// one, next to gjson called directly.
func BenchmarkGetJSONPath(b *testing.B) {
	payload := runtime.JSON(fixture(b, "whatsapp-text.json"))
	const path = "entry[0].changes[0].value.messages[0].text.body"
	const want = "Hi, is the clinic open on Saturday?"
	compiled, err := lang.CompileJSONPath(path)
	if err != nil {
		b.Fatal(err)
	}
	fn, ok := builtins.Registry(builtins.Deps{}).Lookup("GET JSON PATH")
	if !ok {
		b.Fatal("no GET JSON PATH")
	}
	args := []runtime.Value{payload, runtime.Str(path)}
	for _, c := range []struct {
		name string
		site *lang.CallExpr
	}{
		{"literal", &lang.CallExpr{Name: "GET JSON PATH", JSONPath: compiled, HasJSONPath: true}},
		{"computed", &lang.CallExpr{Name: "GET JSON PATH"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := fn(nil, c.site, args)
				if err != nil || v.String() != want {
					b.Fatalf("%v %v", v, err)
				}
			}
		})
	}
	b.Run("gjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if gjson.GetBytes(payload, compiled).String() != want {
				b.Fatal("wrong value")
			}
		}
	})
}

// findHandler is the program's handler for method and path.
func findHandler(tb testing.TB, p *lang.Program, method, path string) *lang.Handler {
	tb.Helper()
	for _, h := range p.Handlers {
		if h.Method == method && h.Path == path {
			return h
		}
	}
	tb.Fatalf("no handler %s %s", method, path)
	return nil
}
