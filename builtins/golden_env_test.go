package builtins

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// goldenEnvVars is what GET ENV sees in golden runs: never the real environment.
var goldenEnvVars = map[string]string{
	"GOLDEN_GREETING": "hello from env",
	"GOLDEN_EMPTY":    "",
	"SMTP_PASSWORD":   "golden-smtp-password",
}

// goldenEnv is one golden run's world: directives, captured log and the
// messages sent.
type goldenEnv struct {
	t          *testing.T
	directives map[string]string
	mu         sync.Mutex
	log        bytes.Buffer
	sent       []string
	logger     *slog.Logger
}

func newGoldenEnv(t *testing.T, directives map[string]string) *goldenEnv {
	e := &goldenEnv{t: t, directives: directives}
	e.logger = newCaptureLogger(&lockedWriter{mu: &e.mu, w: &e.log})
	return e
}

// newCaptureLogger logs as text without the time, so lines are stable.
func newCaptureLogger(w *lockedWriter) *slog.Logger {
	drop := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{ReplaceAttr: drop}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (e *goldenEnv) logLines() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := strings.TrimSuffix(e.log.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (e *goldenEnv) deps() Deps {
	// Outbound HTTP with the guard on: goldens reach no network, and a call to
	// a private address is refused before any connection.
	return Deps{Mailer: recorder{e}, WhatsApp: recorder{e}, Logger: e.logger,
		HTTP: delivery.NewHTTPClient(delivery.HTTPConfig{Timeout: 5 * time.Second})}
}

// options reads the MAXSTEPS, MAXDEPTH and MAXMEMORY directives.
func (e *goldenEnv) options() runtime.Options {
	o := runtime.Options{Logger: e.logger, Getenv: func(k string) string { return goldenEnvVars[k] }}
	o.MaxSteps = e.intDirective("MAXSTEPS")
	o.MaxDepth = e.intDirective("MAXDEPTH")
	o.MaxMemory = int64(e.intDirective("MAXMEMORY"))
	return o
}

func (e *goldenEnv) intDirective(key string) int {
	s, ok := e.directives[key]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		e.t.Fatalf("directive %s: %v", key, err)
	}
	return n
}

// recorder is an in-memory Mailer and WhatsApp sender that keeps one line per
// message for the golden.
type recorder struct{ e *goldenEnv }

func (r recorder) SendMail(_ context.Context, m delivery.Mail) (string, error) {
	r.e.sent = append(r.e.sent, fmt.Sprintf("mail: to=%q subject=%q body=%q", m.To, m.Subject, m.Body))
	return "memory", nil
}

func (r recorder) SendText(_ context.Context, to, text string) (string, error) {
	r.e.sent = append(r.e.sent, fmt.Sprintf("whatsapp: to=%q text=%q", to, text))
	return "memory", nil
}

func (r recorder) SendTemplate(_ context.Context, to string, t delivery.Template) (string, error) {
	r.e.sent = append(r.e.sent, fmt.Sprintf("whatsapp template: to=%q name=%q language=%q params=%q", to, t.Name, t.Language, t.Params))
	return "memory", nil
}

// parseDirectives reads the leading comment lines of the form ' KEY: value.
func parseDirectives(src string) map[string]string {
	d := map[string]string{}
	for _, line := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "'")
		if !ok {
			break
		}
		key, val, ok := strings.Cut(strings.TrimSpace(rest), ":")
		if ok && key == strings.ToUpper(key) && !strings.Contains(key, " ") {
			d[key] = strings.TrimSpace(val)
		}
	}
	return d
}

// goldenRequest builds POST /t with the script's query and its optional
// stem.body and stem.headers files.
func goldenRequest(t *testing.T, stem, query string) *runtime.Request {
	t.Helper()
	req := &runtime.Request{Method: "POST", Path: "/t", RawQuery: query, Header: http.Header{}}
	if b, err := os.ReadFile(stem + ".body"); err == nil {
		req.Body = b
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	hb, err := os.ReadFile(stem + ".headers")
	if os.IsNotExist(err) {
		return req
	} else if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(hb))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Fatalf("%s.headers: want Name: value, got %q", stem, sc.Text())
		}
		req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(val))
	}
	return req
}
