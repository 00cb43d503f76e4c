package lang

import (
	"fmt"
	"strings"
	"testing"
)

// on wraps statements in a handler so that they start on line 2, column 3.
func on(body string) string {
	return "ON WEBHOOK POST TO \"/t\" DO\n  " + strings.ReplaceAll(body, "\n", "\n  ") + "\nEND ON\n"
}

func TestCheckErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown builtin with hint", on("O = 1\nX = GET JSON PTH O, \"a\""),
			`t.bas:3:7: unknown name "GET JSON PTH" (did you mean "GET JSON PATH"?)`},
		{"unknown single word function", on("X = LENN(\"a\")"),
			`t.bas:2:7: unknown name "LENN" (did you mean "LEN"?)`},
		{"unknown SUB statement", on("NOTIFY OWNER \"x\""),
			`t.bas:2:3: unknown name "NOTIFY OWNER"`},
		{"arity of builtin", on("X = MID(\"a\")"),
			`t.bas:2:7: MID takes 2 to 3 arguments, got 1`},
		{"arity of SUB", "SUB NOTIFY OWNER(A$, B)\n  LOG A$\nEND SUB\n" + on("NOTIFY OWNER(\"x\")"),
			`t.bas:5:3: NOTIFY OWNER takes 2 arguments, got 1`},
		{"duplicate route in one file", on("PRINT 1") + on("PRINT 2"),
			`t.bas:4:1: duplicate route POST /t (first defined at t.bas:1:1)`},
		{"duplicate route with other param name", "ON WEBHOOK GET TO \"/a/:x\" DO\nEND ON\nON WEBHOOK GET TO \"/a/:y\" DO\nEND ON\n",
			`t.bas:3:1: duplicate route GET /a/:y (first defined at t.bas:1:1)`},
		{"duplicate SUB", "SUB A\nEND SUB\nSUB A\nEND SUB\n",
			`t.bas:3:1: duplicate SUB A (first defined at t.bas:1:1)`},
		{"SUB with a builtin's name", "SUB GET ENV X$\n  LOG X$\nEND SUB\n",
			`t.bas:1:1: SUB GET ENV has the name of a builtin`},
		{"variable never assigned", on("CODE$ = \"1\"\nPRINT CODE"),
			`t.bas:3:9: variable CODE is never assigned in ON WEBHOOK POST /t (did you mean "CODE$"?)`},
		{"NEXT J closing FOR I", on("FOR I = 1 TO 2\nFOR J = 1 TO 2\nNEXT I\nNEXT J"),
			`t.bas:4:8: NEXT I closes FOR J (opened at line 3)`},
		{"top-level statement", "PRINT \"x\"\n",
			`t.bas:1:1: statement outside ON WEBHOOK, ON SCHEDULE, SUB or FUNCTION`},
		{"route path without slash", "ON WEBHOOK POST TO \"twilio\" DO\nEND ON\n",
			`t.bas:1:20: bad route path "twilio": must start with /`},
		{"route path empty segment", "ON WEBHOOK POST TO \"/a//b\" DO\nEND ON\n",
			`t.bas:1:20: bad route path "/a//b": empty segment`},
		{"route path of the health probe", "ON WEBHOOK GET TO \"/healthz\" DO\nEND ON\n",
			`t.bas:1:19: bad route path "/healthz": the server answers it itself`},
		{"route path of the health probe, any method", "ON WEBHOOK POST TO \"/healthz\" DO\nEND ON\n",
			`t.bas:1:20: bad route path "/healthz": the server answers it itself`},
		{"route path bad param", "ON WEBHOOK POST TO \"/a/:1x\" DO\nEND ON\n",
			`t.bas:1:20: bad route path "/a/:1x": bad parameter name ":1x"`},
		{"bad method", "ON WEBHOOK POTS TO \"/a\" DO\nEND ON\n",
			`t.bas:1:12: unknown method POTS (did you mean "POST"?); use GET, POST, PUT, PATCH or DELETE`},
		{"bad FROM", "ON WEBHOOK POST TO \"/a\" FROM SLACK DO\nEND ON\n",
			`t.bas:1:30: unknown FROM source SLACK; use TWILIO or WHATSAPP`},
		{"malformed JSON path", on("O = 1\nX = GET JSON PATH O, \"a..b\""),
			`t.bas:3:24: malformed JSON path "a..b": empty segment`},
		{"RETURN value in SUB", "SUB A\n  RETURN 1\nEND SUB\n",
			`t.bas:2:3: RETURN with a value outside a FUNCTION`},
		{"RETURN value in handler", on("RETURN 1"),
			`t.bas:2:3: RETURN with a value outside a FUNCTION`},
		{"EXIT FOR outside FOR", on("EXIT FOR"),
			`t.bas:2:3: EXIT FOR outside a FOR loop`},
		{"statement builtin as value", on("X = PRINT"),
			`t.bas:2:7: PRINT gives no value`},
		{"SUB used as a value", "SUB A\nEND SUB\n" + on("X = A"),
			`t.bas:4:7: SUB A gives no value; call it as a statement or make it a FUNCTION`},
		{"SPAWN of a FUNCTION", "FUNCTION F(X)\n  RETURN X\nEND FUNCTION\n" + on("SPAWN F(1)"),
			`t.bas:5:9: SPAWN needs a SUB; F is a FUNCTION`},
		{"IF left open", on("IF 1 THEN\nPRINT 1"),
			`t.bas:2:3: IF without END IF`},
		{"FOR left open", on("FOR I = 1 TO 2\nPRINT I"),
			`t.bas:2:3: FOR without NEXT`},
		{"WHILE left open", on("WHILE 1\nPRINT 1"),
			`t.bas:2:3: WHILE without WEND`},
		{"DO left open", on("DO WHILE 1\nPRINT 1"),
			`t.bas:2:3: DO without LOOP`},
		{"SELECT left open", on("SELECT CASE 1\nCASE 1\nPRINT 1"),
			`t.bas:2:3: SELECT without END SELECT`},
		{"ON left open", "ON WEBHOOK POST TO \"/a\" DO\n  PRINT 1\n",
			`t.bas:1:1: ON WEBHOOK without END ON`},
		{"SUB left open", "SUB A\n  LOG 1\n",
			`t.bas:1:1: SUB without END SUB`},
		{"FUNCTION left open", "FUNCTION F\n  RETURN 1\n",
			`t.bas:1:1: FUNCTION without END FUNCTION`},
		{"WEND without WHILE", on("WEND"),
			`t.bas:2:3: WEND without WHILE`},
		{"END SUB closes FUNCTION", "FUNCTION F\n  RETURN 1\nEND SUB\n",
			`t.bas:3:1: END SUB closes FUNCTION (opened at line 1)`},
		{"unterminated string", on("X = \"abc"),
			`t.bas:2:7: unterminated string`},
		{"syntax error", on("X = 1 +"),
			`t.bas:2:10: unexpected token end of line (expected an expression)`},
		{"bad character", on("X = 1 ? 2"),
			`t.bas:2:9: unexpected character "?"`},
		{"number out of range", on("X = 1e999"),
			`t.bas:2:7: number 1e999 is out of range`},
		{"duplicate parameter", "SUB A(X, X)\nEND SUB\n",
			`t.bas:1:10: duplicate parameter X`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkOne(tt.src)
			if err == nil {
				t.Fatalf("no error; want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTwentyProblemsAllReported(t *testing.T) {
	var b strings.Builder
	b.WriteString("ON WEBHOOK POST TO \"/t\" DO\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "  PRINT V%d\n", i)
	}
	b.WriteString("END ON\n")
	_, err := checkOne(b.String())
	list, ok := err.(ErrorList)
	if !ok || len(list) != 20 {
		t.Fatalf("got %d problems (%v), want 20", len(list), err)
	}
	for i, e := range list {
		want := fmt.Sprintf("t.bas:%d:9: variable V%d is never assigned in ON WEBHOOK POST /t", i+2, i)
		if e.Error() != want && !strings.HasPrefix(e.Error(), want+" (did you mean") {
			t.Errorf("problem %d: %s, want %s", i, e, want)
		}
	}
}

func TestDuplicateRouteAcrossFiles(t *testing.T) {
	_, err := CheckSources([]Source{{"a.bas", []byte(on("PRINT 1"))}, {"b.bas", []byte(on("PRINT 2"))}}, testTable)
	if want := "b.bas:1:1: duplicate route POST /t (first defined at a.bas:1:1)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestSeedAloneLacksGenerateResponse(t *testing.T) {
	src := "SUB P X$\n  LET R$ = GENERATE RESPONSE X$\nEND SUB\n"
	_, err := checkOne(src)
	if want := `t.bas:2:12: unknown name "GENERATE RESPONSE"`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// Regression: when one file fails to parse, calls from other files to its
// SUBs were reported as unknown names; only the parse error is reported now.
func TestParseErrorHidesCallsToItsSubs(t *testing.T) {
	broken := "SUB NOTIFY OWNER(T$)\n  X = (1\nEND SUB\n"
	_, err := CheckSources([]Source{{"a.bas", []byte(broken)}, {"b.bas", []byte(on("NOTIFY OWNER(\"x\")\nMISSPELT 1"))}}, testTable)
	want := "a.bas:2:9: unexpected token end of line (expected \")\")\n" +
		`b.bas:3:3: unknown name "MISSPELT"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
