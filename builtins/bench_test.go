package builtins

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// benchExec runs the seed handler for tmpl b.N times without HTTP, into one
// reused Response as the server's pooled ones are. Each iteration resets the
// request from tmpl, since a Request caches its parsed form.
func benchExec(b *testing.B, m *runtime.Machine, tmpl *runtime.Request, wantJobs int) {
	h := findHandler(b, m.Program(), tmpl.Method, tmpl.Path)
	ctx := context.Background()
	req, resp := new(runtime.Request), new(runtime.Response)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		*req = *tmpl
		jobs, _, err := m.ExecSteps(ctx, h, req, "req-bench", resp)
		if err != nil || resp.Status != 200 || len(jobs) != wantJobs {
			b.Fatalf("status %d, %d jobs, err %v", resp.Status, len(jobs), err)
		}
	}
}

func BenchmarkSeedTwilioVoice(b *testing.B) {
	w := newSeedWorld(b, seedDirs, discardLogger())
	benchExec(b, w.m, fixtureRequest(b, "/twilio/voice", "twilio-voice-incoming.form", formType), 0)
}

// discardLogger formats log lines as the server would but keeps none, so a
// long benchmark does not grow a buffer.
func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// nopMailer accepts every message in memory, so the "memory" variant measures
// the interpreter and the builtins without disk I/O.
type nopMailer struct{}

func (nopMailer) SendMail(context.Context, delivery.Mail) (string, error) { return "memory", nil }

func BenchmarkSeedTwilioGather(b *testing.B) {
	req := fixtureRequest(b, "/twilio/gather", "twilio-gather-digits.form", formType)
	b.Run("outbox", func(b *testing.B) {
		w := newSeedWorld(b, seedDirs, discardLogger())
		benchExec(b, w.m, req, 0)
	})
	b.Run("memory", func(b *testing.B) {
		prog, err := lang.LoadDirs(seedDirs, Specs())
		if err != nil {
			b.Fatal(err)
		}
		logger := discardLogger()
		m, err := runtime.New(prog, Registry(Deps{Mailer: nopMailer{}, Logger: logger}), runtime.Options{Logger: logger})
		if err != nil {
			b.Fatal(err)
		}
		benchExec(b, m, req, 0)
	})
}

// BenchmarkSeedWhatsApp covers PARSE JSON, GET JSON PATH and SPAWN job creation.
func BenchmarkSeedWhatsApp(b *testing.B) {
	w := newSeedWorld(b, seedDirs, discardLogger())
	benchExec(b, w.m, fixtureRequest(b, "/webhooks/whatsapp", "whatsapp-text.json", "application/json"), 1)
}
