package lang

import (
	"strconv"
	"strings"
	"testing"
)

// TestStatementForms: each form of the forms table parses into a call of its
// builtin, the plain call form still works, and a form broken after its first
// element is a syntax error naming what was expected.
func TestStatementForms(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"PRINT list with trailing separator", `PRINT "a"; "b";`, `(call "PRINT" "a" "b")`},
		{"PRINT alone", `PRINT`, `(call "PRINT")`},
		{"PRINT parenthesis opens an expression", `PRINT("a") & "b"`, `(call "PRINT" (& "a" "b"))`},
		{"PRINT with calls", `PRINT LEN("ab") + 1; NOW`, `(call "PRINT" (+ (call "LEN" "ab") 1) (call "NOW"))`},
		{"PRINT comma", `PRINT "a", "b"`, `t.bas:2:10: unexpected token "," (expected end of statement)`},
		{"LOG full expression", `LOG 1 = 2`, `(call "LOG" (= 1 2))`},
		{"LOG parenthesis opens an expression", `LOG("a") & "b"`, `(call "LOG" (& "a" "b"))`},
		{"LOG without argument", `LOG`, `t.bas:2:1: LOG takes 1 argument, got 0`},
		{"SEND MAIL form", `SEND MAIL TO "a" WITH SUBJECT "s" AND BODY "b"`, `(call "SEND MAIL" "a" "s" "b")`},
		{"SEND MAIL call", `SEND MAIL "a", "s", "b"`, `(call "SEND MAIL" "a" "s" "b")`},
		{"SEND MAIL parenthesised call", `SEND MAIL("a", "s", "b")`, `(call "SEND MAIL" "a" "s" "b")`},
		{"SEND MAIL without SUBJECT", `SEND MAIL TO "a" WITH "s"`, `t.bas:2:23: unexpected token "\"s\"" (expected "SUBJECT")`},
		{"SEND MAIL comparison ends subject", `SEND MAIL TO "a" WITH SUBJECT 1 = 2 AND BODY "b"`, `t.bas:2:33: unexpected token "=" (expected "AND")`},
		{"SEND MAIL without body", `SEND MAIL TO "a" WITH SUBJECT "s" AND BODY`, `t.bas:2:43: unexpected token end of line (expected an expression)`},
		{"SEND WHATSAPP form", `SEND WHATSAPP TO "1" WITH "t"`, `(call "SEND WHATSAPP" "1" "t")`},
		{"SEND WHATSAPP call", `SEND WHATSAPP "1", "t"`, `(call "SEND WHATSAPP" "1" "t")`},
		{"SEND WHATSAPP comma", `SEND WHATSAPP TO "1", "t"`, `t.bas:2:21: unexpected token "," (expected "WITH")`},
		{"SET RESPONSE HEADER form", `SET RESPONSE HEADER "X" TO "y"`, `(call "SET RESPONSE HEADER" "X" "y")`},
		{"SET RESPONSE HEADER call", `SET RESPONSE HEADER("X", "y")`, `(call "SET RESPONSE HEADER" "X" "y")`},
		{"SET RESPONSE HEADER comma", `SET RESPONSE HEADER "X", "y"`, `t.bas:2:24: unexpected token "," (expected "TO")`},
		{"SET RESPONSE STATUS form", `SET RESPONSE STATUS TO 404`, `(call "SET RESPONSE STATUS" 404)`},
		{"SET RESPONSE STATUS call", `SET RESPONSE STATUS 404`, `(call "SET RESPONSE STATUS" 404)`},
		{"one-line IF", `IF 1 THEN SEND WHATSAPP TO "1" WITH "t" ELSE LOG "z"`,
			"(if 1 (then\n  (call \"SEND WHATSAPP\" \"1\" \"t\")\n) (else\n  (call \"LOG\" \"z\")\n))"},
		{"form as a value", `X = LOG "a"`, `t.bas:2:5: LOG gives no value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := checkOne("ON WEBHOOK POST TO \"/t\" DO\n" + tt.body + "\nEND ON\n")
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				body := p.Handlers[0].Body
				got = stmtString(body[len(body)-1], 0)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestFormPatternWithList pins the "_..." element (one or more comma-separated
// arguments) on a form added for the test.
func TestFormPatternWithList(t *testing.T) {
	forms["TEST LIST"] = form{pattern: "TO _ WITH _..."}
	defer delete(forms, "TEST LIST")
	table := append([]Builtin{{Name: "TEST LIST", MinArgs: 2, MaxArgs: Variadic, Stmt: true}}, testTable...)
	tests := []struct{ name, body, want string }{
		{"one", `TEST LIST TO 1 WITH 2`, `(call "TEST LIST" 1 2)`},
		{"three", `TEST LIST TO 1 WITH 2, 3 + 1, "x"`, `(call "TEST LIST" 1 2 (+ 3 1) "x")`},
		{"dangling comma", `TEST LIST TO 1 WITH 2,`, `t.bas:2:25: unexpected token end of line (expected an expression)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CheckSources([]Source{{Name: "t.bas", Text: []byte(on(tt.body))}}, table)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = stmtString(p.Handlers[0].Body[0], 0)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLiteralHook: the host's Literal hook sees every literal argument
// (strings, numbers, negated numbers) with its index, and its answer is a
// check error at that argument; computed arguments are left to the run.
func TestLiteralHook(t *testing.T) {
	var seen []string
	hook := func(i int, v any) string {
		switch v := v.(type) {
		case string:
			seen = append(seen, "s"+strings.Repeat("'", i)+v)
			if v == "bad" {
				return "bad is refused"
			}
		case float64:
			seen = append(seen, "n"+strings.Repeat("'", i)+strconv.FormatFloat(v, 'g', -1, 64))
		}
		return ""
	}
	table := append([]Builtin{{Name: "VET", MinArgs: 0, MaxArgs: Variadic, Literal: hook}}, testTable...)
	_, err := CheckSources([]Source{{Name: "t.bas", Text: []byte(on(`X = VET("a", -2, 3, "b" & "c", "bad")`))}}, table)
	if want := `t.bas:2:34: bad is refused`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if got, want := strings.Join(seen, " "), "sa n'-2 n''3 s''''bad"; got != want {
		t.Errorf("hook saw %s, want %s", got, want)
	}
}
