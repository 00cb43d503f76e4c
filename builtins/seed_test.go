package builtins

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// seedDirs are the guide's two programs plus the GENERATE RESPONSE they call.
var seedDirs = []string{"../testdata/seed", "../testdata/seed-support"}

// seedVoiceTwiML is the exact answer of the seed's /twilio/voice handler.
const seedVoiceTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response>` +
	`<Gather action="https://your-domain.com/twilio/gather" method="POST" numDigits="6">` +
	`<Say voice="alice" language="pt-BR">Please enter your verification code followed by the pound sign.</Say>` +
	`</Gather><Redirect>https://twimlets.com/voicemail?Email=your-email@example.com</Redirect></Response>`

const seedGatherTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response>` +
	`<Say>Thank you. Your code has been received.</Say></Response>`

// seedWorld is a machine over the seed with outbox delivery in a temp dir and
// a captured log (or logger, when not nil).
type seedWorld struct {
	m      *runtime.Machine
	outbox string
	env    *goldenEnv
}

func newSeedWorld(t testing.TB, dirs []string, logger *slog.Logger) *seedWorld {
	t.Helper()
	prog, err := lang.LoadDirs(dirs, Specs())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	noEnv := func(string) string { return "" } // outbox delivery, whatever the real environment says
	mailer, wa, llm, err := delivery.FromEnv(delivery.Config{Getenv: noEnv, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	env := newGoldenEnv(nil, nil)
	if logger == nil {
		logger = env.logger
	}
	deps := Deps{Mailer: mailer, WhatsApp: wa, LLM: llm, Logger: logger}
	m, err := runtime.New(prog, Registry(deps), runtime.Options{Logger: logger, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	return &seedWorld{m: m, outbox: filepath.Join(dir, "outbox"), env: env}
}

// fixtureRequest is a POST of a testdata/fixtures file with its content type.
func fixtureRequest(t testing.TB, path, fixture, contentType string) *runtime.Request {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("../testdata/fixtures", fixture))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Type", contentType)
	return &runtime.Request{Method: "POST", Path: path, Header: h, Body: body}
}

const formType = "application/x-www-form-urlencoded"

// exec runs the seed handler for req.Path and fails the test on any error.
func (w *seedWorld) exec(t testing.TB, req *runtime.Request) (*runtime.Response, []runtime.Job) {
	t.Helper()
	h := findHandler(t, w.m.Program(), req.Method, req.Path)
	resp, jobs, err := w.m.Exec(context.Background(), h, req, "req-seed")
	if err != nil {
		t.Fatal(err)
	}
	return resp, jobs
}

func assertTwiML(t *testing.T, resp *runtime.Response, want string) {
	t.Helper()
	if resp.Status != 200 || resp.Header.Get("Content-Type") != "text/xml" || string(resp.Body) != want {
		t.Errorf("got %d %q\n%s\nwant 200 text/xml\n%s", resp.Status, resp.Header.Get("Content-Type"), resp.Body, want)
	}
}

func TestSeedTwilioVoice(t *testing.T) {
	w := newSeedWorld(t, seedDirs, nil)
	resp, jobs := w.exec(t, fixtureRequest(t, "/twilio/voice", "twilio-voice-incoming.form", formType))
	assertTwiML(t, resp, seedVoiceTwiML)
	if len(jobs) != 0 {
		t.Errorf("jobs %v", jobs)
	}
}

// The gather handler mails the digits (an .eml in the outbox) and logs them
// with file:line and the request id.
func TestSeedTwilioGather(t *testing.T) {
	w := newSeedWorld(t, seedDirs, nil)
	resp, _ := w.exec(t, fixtureRequest(t, "/twilio/gather", "twilio-gather-digits.form", formType))
	assertTwiML(t, resp, seedGatherTwiML)
	eml := readOnlyFile(t, filepath.Join(w.outbox, "mail"), ".eml")
	for _, want := range []string{"To: <your-email@example.com>", "Subject: WhatsApp Verification Code", "Your verification code is: 4071"} {
		if !strings.Contains(eml, want) {
			t.Errorf("mail lacks %q:\n%s", want, eml)
		}
	}
	logs := strings.Join(w.env.logLines(), "\n")
	want := `msg="WhatsApp Verification Code: 4071" request_id=req-seed at=twilio.bas:25`
	if !strings.Contains(logs, want) {
		t.Errorf("log lacks %q:\n%s", want, logs)
	}
}

// readOnlyFile gives the content of the one file with ext in dir.
func readOnlyFile(t *testing.T, dir, ext string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil || len(files) != 1 {
		t.Fatalf("want one %s file in %s, got %v (%v)", ext, dir, files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The WhatsApp handler answers OK at once and leaves the reply to a job; the
// job, run later, writes the Graph API request addressed to the sender.
func TestSeedWhatsApp(t *testing.T) {
	w := newSeedWorld(t, seedDirs, nil)
	resp, jobs := w.exec(t, fixtureRequest(t, "/webhooks/whatsapp", "whatsapp-text.json", "application/json"))
	if resp.Status != 200 || string(resp.Body) != "OK" {
		t.Fatalf("got %d %q", resp.Status, resp.Body)
	}
	want := runtime.Job{Sub: "PROCESS WHATSAPP MESSAGE", RequestID: "req-seed",
		Pos: lang.Pos{File: "../testdata/seed/whatsapp.bas", Line: 23, Col: 5}, Args: []runtime.Value{
			runtime.Str("447700900123"), runtime.Str("Hi, is the clinic open on Saturday?"),
			runtime.Str("wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUQTFGNkMyNzNGQ0IxQTlBMjk1RUMA")}}
	if len(jobs) != 1 || !reflect.DeepEqual(jobs[0], want) {
		t.Fatalf("jobs %#v\nwant %#v", jobs, want)
	}
	if _, err := w.m.RunSub(context.Background(), jobs[0]); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		Product string `json:"messaging_product"`
		To      string `json:"to"`
		Type    string `json:"type"`
		Text    struct{ Body string }
	}
	raw := readOnlyFile(t, filepath.Join(w.outbox, "whatsapp"), ".json")
	if err := json.Unmarshal([]byte(raw), &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Product != "whatsapp" || sent.To != "447700900123" || sent.Type != "text" ||
		sent.Text.Body != "Echo: Hi, is the clinic open on Saturday?" {
		t.Errorf("outbox message %s", raw)
	}
}

// A status-only delivery has no messages: the seed still answers OK, and its
// chain of lookups yields "" instead of failing (it then spawns a job with
// empty arguments, as the guide's program is written).
func TestSeedWhatsAppStatusOnly(t *testing.T) {
	w := newSeedWorld(t, seedDirs, nil)
	resp, jobs := w.exec(t, fixtureRequest(t, "/webhooks/whatsapp", "whatsapp-status-delivered.json", "application/json"))
	if resp.Status != 200 || string(resp.Body) != "OK" {
		t.Fatalf("got %d %q", resp.Status, resp.Body)
	}
	empty := []runtime.Value{runtime.Str(""), runtime.Str(""), runtime.Str("")}
	if len(jobs) != 1 || !reflect.DeepEqual(jobs[0].Args, empty) {
		t.Errorf("jobs %#v", jobs)
	}
}
