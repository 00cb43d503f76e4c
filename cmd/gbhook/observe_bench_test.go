package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/signature"
)

// BenchmarkVoiceRoute serves the seed's Twilio voice call (signed) through
// Server.Handler as `gbhook serve` wires it (metrics, the redacting logger,
// the history's database open), with the history recording requests and
// with it off (--history-max 0): the difference is what recording costs.
// "bare" has no observer at all, for scale. Compare
// the cpu-ns/op figures (requests/s at saturation is their inverse, and
// with every P serving, ns/op too); the
// recorder's batch writes run on its own goroutine, as in production, and
// count. "history=on" starts with an empty buffer, so its figure includes
// writing the first burst (the buffer's 256 records) in full;
// "history=on,sustained" fills the buffer first, as any load that lasts
// does, so it shows the steady state: every request recorded on the request
// path, and the writer bounded to MaxRate records a second.
//
//	go test -run '^$' -bench BenchmarkVoiceRoute -benchtime 20000x -count 5 ./cmd/gbhook/
func BenchmarkVoiceRoute(b *testing.B) {
	for _, tc := range []struct {
		name    string
		observe *observeConfig
	}{
		{"bare", nil},
		{"history=off", &observeConfig{AdminAddr: "off", NoHistory: true}},
		{"history=on", &observeConfig{AdminAddr: "off"}},
		{"history=on,sustained", &observeConfig{AdminAddr: "off"}},
	} {
		b.Run(tc.name, func(b *testing.B) { benchVoice(b, tc.observe, strings.HasSuffix(tc.name, "sustained")) })
	}
}

func benchVoice(b *testing.B, observe *observeConfig, sustained bool) {
	const token = "bench-twilio-token"
	env := map[string]string{"TWILIO_AUTH_TOKEN": token}
	a, err := newApp(appConfig{Dirs: []string{"../../scripts"}, Data: b.TempDir(),
		Getenv: func(k string) string { return env[k] }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Observe: observe})
	if err != nil {
		b.Fatal(err)
	}
	defer a.close()
	defer a.queue.Close()
	if err := a.load(); err != nil {
		b.Fatal(err)
	}
	form := url.Values{"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "From": {"+15551230000"},
		"To": {"+15559870000"}, "CallStatus": {"ringing"}, "Direction": {"inbound"}}
	body := form.Encode()
	sig := signature.TwilioSign(token, "http://example.com/twilio/voice", form)
	h := a.srv.Handler()
	serve := func() {
		req := httptest.NewRequest(http.MethodPost, "/twilio/voice", strings.NewReader(body))
		req.Host = "example.com"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Errorf("status %d: %s", rec.Code, rec.Body)
		}
	}
	for sustained && a.obs.rec.Dropped() == 0 && !a.obs.cfg.NoHistory {
		serve() // until the buffer is full
	}
	dropped0 := int64(0)
	if a.obs != nil {
		dropped0 = a.obs.rec.Dropped()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	// In parallel on every P, as a server at saturation runs: the GC's
	// idle-time workers then find no idle P to burn, and the writer takes
	// its CPU from the requests.
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serve()
		}
	})
	b.StopTimer()
	// CPU time of the whole process (the writer goroutine included) per
	// request: on a shared machine wall time is mostly other people's load,
	// and at saturation requests/s is the inverse of this.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if a.obs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = a.obs.rec.Flush(ctx)
		b.ReportMetric(float64(a.obs.rec.Dropped()-dropped0)/float64(b.N), "dropped/op")
	}
}

// processCPU is the user+system CPU time this process used so far, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
