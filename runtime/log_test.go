package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// logBoth writes the same line through Thread.Log and through Logger().
func logBoth(th *Thread, level slog.Level) {
	th.Log(level, "hello", slog.String("at", "t.bas:1:1"), slog.Int("n", 7))
	th.Logger().LogAttrs(context.Background(), level, "hello", slog.String("at", "t.bas:1:1"), slog.Int("n", 7))
}

// Thread.Log writes what Logger() writes: request_id first, the caller as
// source, nothing below the handler's level.
func TestLogMatchesLogger(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
		want  string
	}{
		{"info", slog.LevelInfo,
			`level=INFO source=github.com/gbhook/gbhook/runtime.logBoth msg=hello request_id=req-1 at=t.bas:1:1 n=7`},
		{"warn", slog.LevelWarn,
			`level=WARN source=github.com/gbhook/gbhook/runtime.logBoth msg=hello request_id=req-1 at=t.bas:1:1 n=7`},
		{"below the level", slog.LevelDebug, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{AddSource: true,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					switch a.Key {
					case slog.TimeKey:
						return slog.Attr{}
					case slog.SourceKey:
						return slog.String(slog.SourceKey, a.Value.Any().(*slog.Source).Function)
					}
					return a
				}}))
			f := &frame{}
			m := machine(t, Options{Logger: logger}, handler(f, out(str("x"))))
			th := m.newThread(context.Background(), nil, "req-1", nil)
			defer m.done(th)
			logBoth(th, tc.level) // Log before Logger() was made, then Logger()
			logBoth(th, tc.level) // Log once it exists
			var lines []string
			if s := strings.TrimSpace(buf.String()); s != "" {
				lines = strings.Split(s, "\n")
			}
			want := 4
			if tc.want == "" {
				want = 0
			}
			if len(lines) != want {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), want, buf.String())
			}
			for i, l := range lines {
				if l != tc.want {
					t.Errorf("line %d: %s\nwant    %s", i, l, tc.want)
				}
			}
		})
	}
}
