package builtins

import (
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime/secret"
)

// TestLiteralChecks: builtins whose rules the checker applies to literal
// arguments through the Literal hook, with the whole message.
func TestLiteralChecks(t *testing.T) {
	tests := []struct{ name, stmt, want string }{
		{"status 100 is interim", `SET RESPONSE STATUS TO 100`, `t.bas:2:26: status 100 is outside 200..599`},
		{"status 199", `SET RESPONSE STATUS TO 199`, `t.bas:2:26: status 199 is outside 200..599`},
		{"status 600", `SET RESPONSE STATUS TO 600`, `t.bas:2:26: status 600 is outside 200..599`},
		{"status fraction", `SET RESPONSE STATUS TO 200.5`, `t.bas:2:26: status 200.5 is outside 200..599`},
		{"status negative", `SET RESPONSE STATUS TO -200`, `t.bas:2:26: status -200 is outside 200..599`},
		{"status string", `SET RESPONSE STATUS TO "101"`, `t.bas:2:26: status 101 is outside 200..599`},
		{"status call form", `SET RESPONSE STATUS(100)`, `t.bas:2:23: status 100 is outside 200..599`},
		{"status 200", `SET RESPONSE STATUS TO 200`, ``},
		{"status 599", `SET RESPONSE STATUS TO 599`, ``},
		{"status computed", `SET RESPONSE STATUS TO 99 + 1`, ``},
		{"env secret", `X = GET ENV "TWILIO_AUTH_TOKEN"`,
			`t.bas:2:15: environment variable TWILIO_AUTH_TOKEN is a secret of the server; scripts cannot read it`},
		{"env secret any case", `X = GET ENV("gbhook_database_url")`,
			`t.bas:2:15: environment variable GBHOOK_DATABASE_URL is a secret of the server; scripts cannot read it`},
		{"env ordinary", `X = GET ENV "GBHOOK_GREETING"`, ``},
		{"env computed", `X = GET ENV "SMTP_" & "PASSWORD"`, ``},
	}
	for _, v := range secret.Vars {
		tests = append(tests, struct{ name, stmt, want string }{"env secret " + v, `X = GET ENV "` + v + `"`,
			`t.bas:2:15: environment variable ` + v + ` is a secret of the server; scripts cannot read it`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "ON WEBHOOK POST TO \"/t\" DO\n  " + tt.stmt + "\nEND ON\n"
			_, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
