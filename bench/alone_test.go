package bench

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/gbhook/gbhook/bench/native/nativeserver"
	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// BenchmarkHandlerAlone is BenchmarkHandler's work with nothing else in
// the process: no queue and no native server, whose goroutines wake on
// timers. It is for counting instructions, which repeat where wall-clock
// time on a shared machine does not: under valgrind, the difference of two
// -benchtime Nx runs over the runs between them (docs/performance.md).
// The Go functions are here for the routes that have one without a server.
func BenchmarkHandlerAlone(b *testing.B) {
	mailer, wa, llm := memory(b, "")
	reg := builtins.Registry(builtins.Deps{Mailer: mailer, WhatsApp: wa, LLM: llm, Logger: discard()})
	prog, err := lang.LoadDirs([]string{"scripts"}, builtins.Specs())
	if err != nil {
		b.Fatal(err)
	}
	m, err := runtime.New(prog, reg, runtime.Options{Getenv: getenv, Logger: discard()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range endpoints(b) {
		u, err := url.Parse(e.target)
		if err != nil {
			b.Fatal(err)
		}
		h := findHandler(b, prog, e.method, u.Path)
		b.Run(e.name+"/gbhook", func(b *testing.B) {
			run := gbhookWork(m, h, runtime.Request{Method: e.method, Path: u.Path, RawQuery: u.RawQuery,
				Header: http.Header{"Content-Type": {e.contentType}}, Body: e.body})
			b.ReportAllocs()
			for b.Loop() {
				if err := run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		native := aloneNative(b, e.name, u)
		if native == nil {
			continue
		}
		b.Run(e.name+"/native", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				native()
			}
		})
	}
}

// aloneNative is the Go function of a route that needs no server, or nil.
func aloneNative(b *testing.B, name string, u *url.URL) func() {
	switch name {
	case "voice":
		return func() {
			if len(nativeserver.VoiceTwiML(getenv)) == 0 {
				b.Fatal("empty TwiML")
			}
		}
	case "verify":
		return func() {
			q, err := url.ParseQuery(u.RawQuery)
			if err != nil {
				b.Fatal(err)
			}
			if status, _ := nativeserver.VerifyAnswer(getenv, q); status != http.StatusOK {
				b.Fatalf("status %d", status)
			}
		}
	}
	return nil
}
