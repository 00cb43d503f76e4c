package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	bad := t.TempDir()
	src := "ON WEBHOOK POST TO \"/a\" DO\n  X = GET JSON PTH Y, \"a\"\n  PRINT Z$\nEND ON\n"
	if err := os.WriteFile(filepath.Join(bad, "bad.bas"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(bad, "bad.bas")
	tests := []struct {
		name           string
		dirs           []string
		fails          bool
		stdout, stderr string
	}{
		{"shipped scripts", []string{"../../scripts"}, false,
			"ok: 5 handlers, 2 SUBs, 2 FUNCTIONs in 5 files\n", ""},
		{"seed with GENERATE RESPONSE warns about unsigned callbacks", []string{"../../testdata/seed", "../../testdata/seed-support"}, false,
			"ok: 3 handlers, 1 SUBs, 1 FUNCTIONs in 3 files\n",
			"../../testdata/seed/twilio.bas:2:1: warning: POST /twilio/voice looks like a Twilio callback but has no FROM TWILIO; its requests are not verified\n" +
				"../../testdata/seed/twilio.bas:20:1: warning: POST /twilio/gather looks like a Twilio callback but has no FROM TWILIO; its requests are not verified\n" +
				"../../testdata/seed/whatsapp.bas:2:1: warning: POST /webhooks/whatsapp looks like a WhatsApp callback but has no FROM WHATSAPP; its requests are not verified\n"},
		{"every problem, then a count", []string{bad}, true, "",
			badFile + ":2:7: unknown name \"GET JSON PTH\" (did you mean \"GET JSON PATH\"?)\n" +
				badFile + ":3:9: variable Z$ is never assigned in ON WEBHOOK POST /a\n2 problem(s)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runCheck(tt.dirs, &out, &errb)
			var code exitError
			if tt.fails != errors.As(err, &code) || (tt.fails && code != 1) {
				t.Errorf("err = %v, want failure %v", err, tt.fails)
			}
			if out.String() != tt.stdout || errb.String() != tt.stderr {
				t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
			}
		})
	}
}
