package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/bench/native/nativeserver"
	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/queue"
	httpserver "github.com/gbhook/gbhook/runtime/server"
	"github.com/gbhook/gbhook/runtime/signature"
)

// Secrets and the verify token both servers read.
var benchEnv = map[string]string{
	"TWILIO_AUTH_TOKEN": "bench-twilio-token",
	"META_APP_SECRET":   "bench-meta-secret",
	"META_VERIFY_TOKEN": "kettle-blue-42",
}

func getenv(k string) string { return benchEnv[k] }

// world is gbhook (serving bench/scripts, wired as cmd/gbhook wires it) and
// the native server, each with its own outbox.
type world struct {
	m       *runtime.Machine
	gbhook  http.Handler
	gbQueue *queue.Queue
	drained bool
	native  *nativeserver.Server
	gbData  string
	natData string
}

// newWorld wires both servers delivering to their outboxes; gbLog and natLog
// receive their log lines.
func newWorld(tb testing.TB, gbLog, natLog *slog.Logger) *world {
	return newWorldWith(tb, gbLog, natLog, outbox)
}

// deliveries makes one server's senders.
type deliveries func(tb testing.TB, dataDir string) (delivery.Mailer, delivery.WhatsApp, delivery.LLM)

func newWorldWith(tb testing.TB, gbLog, natLog *slog.Logger, send deliveries) *world {
	tb.Helper()
	log := gbLog
	w := &world{gbData: tb.TempDir(), natData: tb.TempDir()}
	mailer, wa, llm := send(tb, w.gbData)
	reg := builtins.Registry(builtins.Deps{Mailer: mailer, WhatsApp: wa, LLM: llm, Logger: log})
	prog, err := lang.LoadDirs([]string{"scripts"}, builtins.Specs())
	if err != nil {
		tb.Fatal(err)
	}
	var srv *httpserver.Server
	w.gbQueue, err = queue.Open(context.Background(), queue.Config{DataDir: w.gbData, Logger: log,
		Machine: func() *runtime.Machine { return srv.Machine() }})
	if err != nil {
		tb.Fatal(err)
	}
	if err := w.gbQueue.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	srv = httpserver.New(httpserver.Config{Getenv: getenv, Logger: log, Queue: w.gbQueue})
	w.m, err = runtime.New(prog, reg, runtime.Options{Getenv: getenv, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	srv.Swap(w.m)
	w.gbhook = srv.Handler()
	mailer, wa, llm = send(tb, w.natData)
	w.native, err = nativeserver.New(nativeserver.Config{Getenv: getenv, Logger: natLog, Mailer: mailer, WhatsApp: wa,
		LLM: llm, DataDir: w.natData})
	if err != nil {
		tb.Fatal(err)
	}
	if err := w.native.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.drain(tb) })
	return w
}

// drain waits for both servers' stored jobs to be done, then stops both.
func (w *world) drain(tb testing.TB) {
	if w.drained {
		return
	}
	w.drained = true
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w.idle(ctx, tb)
	if err := w.gbQueue.Stop(ctx); err != nil {
		tb.Error(err)
	}
	w.gbQueue.Close()
	if err := w.native.Shutdown(ctx); err != nil {
		tb.Error(err)
	}
}

// idle waits until neither server has a stored job left to run.
func (w *world) idle(ctx context.Context, tb testing.TB) {
	for {
		gb, err := w.gbQueue.Pending(ctx)
		if err != nil {
			tb.Error(err)
			return
		}
		nat, err := w.native.Pending(ctx)
		if err != nil {
			tb.Error(err)
			return
		}
		if len(gb) == 0 && nat == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func outbox(tb testing.TB, dir string) (delivery.Mailer, delivery.WhatsApp, delivery.LLM) {
	noEnv := func(string) string { return "" }
	mailer, wa, llm, err := delivery.FromEnv(delivery.Config{Getenv: noEnv, DataDir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	return mailer, wa, llm
}

// memory delivers nowhere, so that a benchmark measures the request path
// and not the disk (each outbox file is fsynced).
func memory(testing.TB, string) (delivery.Mailer, delivery.WhatsApp, delivery.LLM) {
	return nopSender{}, nopSender{}, nil
}

type nopSender struct{}

func (nopSender) SendMail(context.Context, delivery.Mail) (string, error)  { return "memory", nil }
func (nopSender) SendText(context.Context, string, string) (string, error) { return "memory", nil }

// discard formats log lines as the servers would and keeps none.
func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fixture reads a shared request fixture.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("../testdata/fixtures", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// endpoint is one shipped route with a signed request for it.
type endpoint struct {
	name, method, target, contentType string
	body                              []byte
	header                            http.Header
}

const formType = "application/x-www-form-urlencoded"

// endpoints are the four shipped routes, signed for host example.com (what
// httptest.NewRequest sends).
func endpoints(tb testing.TB) []endpoint {
	voice := fixture(tb, "twilio-voice-incoming.form")
	gather := fixture(tb, "twilio-gather-digits.form")
	msg := fixture(tb, "whatsapp-text.json")
	query := strings.TrimSpace(string(fixture(tb, "meta-verify-subscribe.query")))
	return []endpoint{
		{"voice", "POST", "/twilio/voice", formType, voice, twilioHeader(tb, "/twilio/voice", voice)},
		{"gather", "POST", "/twilio/gather", formType, gather, twilioHeader(tb, "/twilio/gather", gather)},
		{"verify", "GET", "/webhooks/whatsapp?" + query, "", nil, http.Header{}},
		{"message", "POST", "/webhooks/whatsapp", "application/json", msg,
			http.Header{"X-Hub-Signature-256": {signature.MetaSign(benchEnv["META_APP_SECRET"], msg)}}},
	}
}

func twilioHeader(tb testing.TB, path string, body []byte) http.Header {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		tb.Fatal(err)
	}
	sig := signature.TwilioSign(benchEnv["TWILIO_AUTH_TOKEN"], "http://example.com"+path, params)
	return http.Header{"X-Twilio-Signature": {sig}}
}

// request is a fresh http.Request for e.
func (e endpoint) request() *http.Request {
	var body io.Reader
	if e.body != nil {
		body = strings.NewReader(string(e.body))
	}
	r := httptest.NewRequest(e.method, e.target, body)
	for k, vs := range e.header {
		r.Header[k] = vs
	}
	if e.contentType != "" {
		r.Header.Set("Content-Type", e.contentType)
	}
	return r
}
