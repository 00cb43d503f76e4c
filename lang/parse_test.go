package lang

import (
	"strings"
	"testing"
)

// checkOne checks a single script named t.bas against the test table.
func checkOne(src string) (*Program, error) {
	return CheckSources([]Source{{Name: "t.bas", Text: []byte(src)}}, testTable)
}

// lastStmt returns the dump of the handler's last statement.
func lastStmt(t *testing.T, body string) string {
	t.Helper()
	p, err := checkOne("ON WEBHOOK POST TO \"/t\" DO\n" + body + "\nEND ON\n")
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	stmts := p.Handlers[0].Body
	return stmtString(stmts[len(stmts)-1], 0)
}

func TestPrecedenceAndAssociation(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"minus is left-associative", "X = 10-4-3", `(let X@0 (- (- 10 4) 3))`},
		{"power is right-associative", "X = 2^3^2", `(let X@0 (^ 2 (^ 3 2)))`},
		{"unary minus below power", "X = -2^2", `(let X@0 (- (^ 2 2)))`},
		{"negative exponent", "X = 2^-1", `(let X@0 (^ 2 (- 1)))`},
		{"mul before add", "X = 1+2*3", `(let X@0 (+ 1 (* 2 3)))`},
		{"mod is multiplicative", "X = 7 MOD 3 + 1", `(let X@0 (+ (MOD 7 3) 1))`},
		{"concat with plus level", `X = "a" & 1 + 2`, `(let X@0 (+ (& "a" 1) 2))`},
		{"and binds tighter than or", "X = 1 OR 2 AND 3", `(let X@0 (OR 1 (AND 2 3)))`},
		{"not above comparison", "X = NOT 1 = 2", `(let X@0 (NOT (= 1 2)))`},
		{"assignment of a comparison", "A = 1 : B = 2 : X = A = B", `(let X@2 (= A@0 B@1))`},
		{"parentheses", "X = (10-4)-(3-1)", `(let X@0 (- (- 10 4) (- 3 1)))`},
		{"string doubled quotes", `X = "say ""hi"""`, `(let X@0 "say \"hi\"")`},
		{"curly quotes", "X = “hello”", `(let X@0 "hello")`},
		{"case folding", "let code$ = 1", `(let CODE$@0 1)`},
		{"REMAINDER is a name", "REMAINDER = 1", `(let REMAINDER@0 1)`},
		{"A-1 is subtraction", "A = 1 : X = A-1", `(let X@1 (- A@0 1))`},
		{"number forms", "X = 1e3 + 3.5 + .5", `(let X@0 (+ (+ 1000 3.5) 0.5))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lastStmt(t, tt.body); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAssignComparison(t *testing.T) {
	p, err := checkOne("ON WEBHOOK POST TO \"/t\" DO\nA = 1 : B = 2\nX = A = B\nEND ON\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stmtString(p.Handlers[0].Body[2], 0), `(let X@2 (= A@0 B@1))`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestWordCallArguments(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"call result is compared",
			"OBJ = 1\nIF GET JSON PATH OBJ, \"object\" = \"whatsapp_business_account\" THEN PRINT 1",
			`(if (= (call "GET JSON PATH" path="object" OBJ@0 "object") "whatsapp_business_account") (then` + "\n  (call \"PRINT\" 1)\n))"},
		{"AND ends the subject",
			"A$ = \"a\" : B$ = \"b\"\nSEND MAIL TO A$ WITH SUBJECT \"x\" AND BODY \"y\" + B$",
			`(call "SEND MAIL" A$@0 "x" (+ "y" B$@1))`},
		{"General Bots SEND MAIL form",
			`SEND MAIL "a@b.c", "s", "b"`, `(call "SEND MAIL" "a@b.c" "s" "b")`},
		{"paren call directly after name", "X = LEN(\"abc\") + 1", `(let X@0 (+ (call "LEN" "abc") 1))`},
		{"spaced paren is an argument", "X = LEN (\"abc\") + 1", `(let X@0 (call "LEN" (+ "abc" 1)))`},
		{"zero-argument call then minus", "X = NOW - 1", `(let X@0 (- (call "NOW") 1))`},
		{"JSON path bracket form compiled", "O = 1 : X = GET JSON PATH O, \"entry[0].changes[0].value\"", `(let X@1 (call "GET JSON PATH" path="entry.0.changes.0.value" O@0 "entry[0].changes[0].value"))`},
		{"PRINT with semicolons", `PRINT "a"; 1; "b"`, `(call "PRINT" "a" 1 "b")`},
		{"set status", `SET RESPONSE STATUS TO 201`, `(call "SET RESPONSE STATUS" 201)`},
		{"set header", `SET RESPONSE HEADER "Content-Type" TO "text/xml"`, `(call "SET RESPONSE HEADER" "Content-Type" "text/xml")`},
		{"send whatsapp", `SEND WHATSAPP TO "1" WITH "hi"`, `(call "SEND WHATSAPP" "1" "hi")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lastStmt(t, tt.body); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestJSONPathCompiledAtCheck(t *testing.T) {
	p, err := checkOne("ON WEBHOOK POST TO \"/t\" DO\nO = 1\nX = GET JSON PATH O, \"entry[0].a@b.c#d\"\nEND ON\n")
	if err != nil {
		t.Fatal(err)
	}
	call := p.Handlers[0].Body[1].(*Assign).X.(*CallExpr)
	if want := `entry.0.a\@b.c\#d`; call.JSONPath != want || !call.HasJSONPath {
		t.Errorf("JSONPath = %q, want %q", call.JSONPath, want)
	}
}

func TestOneLineIfOwnsTheRestOfTheLine(t *testing.T) {
	got := lastStmt(t, "IF 1 THEN PRINT \"a\" : PRINT \"b\" ELSE PRINT \"c\"")
	want := "(if 1 (then\n  (call \"PRINT\" \"a\")\n  (call \"PRINT\" \"b\")\n) (else\n  (call \"PRINT\" \"c\")\n))"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestNameResolution(t *testing.T) {
	subs := "SUB PROCESS WHATSAPP MESSAGE FROM$, BODY$, ID$\n  LOG FROM$ + BODY$ + ID$\nEND SUB\n" +
		"SUB GET JSON X$\n  LOG X$\nEND SUB\n"
	handler := "ON WEBHOOK POST TO \"/w\" DO\n  A$ = \"1\" : B$ = \"2\" : C$ = \"3\"\n" +
		"  SPAWN PROCESS WHATSAPP MESSAGE A$, B$, C$\n" +
		"  R$ = GENERATE RESPONSE B$\n" +
		"  O = GET JSON PATH A$, \"x\"\n" +
		"  GET JSON \"y\"\nEND ON\n"
	fn := "FUNCTION GENERATE RESPONSE TEXT$\n  RETURN \"echo \" + TEXT$\nEND FUNCTION\n"
	p, err := CheckSources([]Source{{"a.bas", []byte(subs)}, {"b.bas", []byte(handler)}, {"c.bas", []byte(fn)}}, testTable)
	if err != nil {
		t.Fatal(err)
	}
	body := p.Handlers[0].Body
	spawn := body[3].(*Spawn).Call
	if spawn.Proc == nil || spawn.Proc.Name != "PROCESS WHATSAPP MESSAGE" || len(spawn.Args) != 3 || len(spawn.Proc.Params) != 3 {
		t.Errorf("SPAWN resolved to %+v", spawn)
	}
	gen := body[4].(*Assign).X.(*CallExpr)
	if gen.Proc == nil || gen.Proc.P.File != "c.bas" {
		t.Errorf("GENERATE RESPONSE resolved to %+v", gen)
	}
	get := body[5].(*Assign).X.(*CallExpr)
	if get.Builtin < 0 || testTable[get.Builtin].Name != "GET JSON PATH" {
		t.Errorf("GET JSON PATH resolved to %+v", get)
	}
	sub := body[6].(*CallStmt).Call
	if sub.Proc == nil || sub.Proc.Name != "GET JSON" {
		t.Errorf("GET JSON resolved to %+v", sub)
	}
}

func TestCompileJSONPath(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"object", "object", ""},
		{"entry[0].changes[0].value.messages[0]", "entry.0.changes.0.value.messages.0", ""},
		{"entry.0.changes.0", "entry.0.changes.0", ""},
		{"a[0][1]", "a.0.1", ""},
		{"[2].x", "2.x", ""},
		{"a.@reverse", `a.\@reverse`, ""},
		{"a.*", `a.\*`, ""},
		{"a.b?c", `a.b\?c`, ""},
		{"a|b", `a\|b`, ""},
		{"#", `\#`, ""},
		{"", "", `JSON path "": empty path`},
		{"a[0", "", `JSON path "a[0": unclosed [`},
		{"a[x]", "", `JSON path "a[x]": index "x" is not a whole number >= 0`},
		{"a[-1]", "", `JSON path "a[-1]": index "-1" is not a whole number >= 0`},
		{"a[]", "", `JSON path "a[]": index "" is not a whole number >= 0`},
		{"a..b", "", `JSON path "a..b": empty segment`},
		{".a", "", `JSON path ".a": empty segment`},
		{"a.", "", `JSON path "a.": empty segment`},
		{"a[0]b", "", `JSON path "a[0]b": expected . or [ after ]`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CompileJSONPath(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDumpIsStable(t *testing.T) {
	p, err := checkOne("ON WEBHOOK GET TO \"/x/:id\" DO\n  PRINT GET QUERY VALUE \"a\"\nEND ON\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dump(p), `(on GET "/x/:id" vars[]`) {
		t.Errorf("dump: %s", dump(p))
	}
}

// TestResyncAtTopLevel: structure and syntax errors are found per top-level
// block (split at lines starting with ON, SUB or FUNCTION), so every block's
// first problem is reported.
func TestResyncAtTopLevel(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"SUB inside ON", "ON WEBHOOK POST TO \"/a\" DO\nSUB B\nEND SUB\nEND ON\n",
			"t.bas:1:1: ON WEBHOOK without END ON\nt.bas:4:1: END ON without ON WEBHOOK"},
		{"two open blocks", "ON WEBHOOK POST TO \"/a\" DO\n  X = 1 +\nSUB B\n  PRINT 1\n",
			"t.bas:1:1: ON WEBHOOK without END ON\nt.bas:3:1: SUB without END SUB"},
		{"after a colon", "SUB A\nX = (\nEND SUB\n:SUB B\nY = )\nEND SUB\n",
			"t.bas:2:6: unexpected token end of line (expected an expression)\nt.bas:5:5: unexpected token \")\" (expected an expression)"},
		{"good blocks between", "SUB A\nX = (\nEND SUB\nSUB B\nEND SUB\nSUB C\nY = )\nEND SUB\nFUNCTION D\nRETURN 1 +\nEND FUNCTION\n",
			"t.bas:2:6: unexpected token end of line (expected an expression)\n" +
				"t.bas:7:5: unexpected token \")\" (expected an expression)\n" +
				"t.bas:10:11: unexpected token end of line (expected an expression)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkOne(tt.src)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestFromKind: FROM names a typed kind; META is WhatsApp's other name.
func TestFromKind(t *testing.T) {
	tests := []struct {
		name, from string
		want       FromKind
		route      string
	}{
		{"none", "", FromNone, "POST /t t.bas:1"},
		{"twilio", " FROM TWILIO", FromTwilio, "POST /t FROM TWILIO t.bas:1"},
		{"whatsapp", " FROM WHATSAPP", FromWhatsApp, "POST /t FROM WHATSAPP t.bas:1"},
		{"meta", " from meta", FromWhatsApp, "POST /t FROM WHATSAPP t.bas:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := checkOne("ON WEBHOOK POST TO \"/t\"" + tt.from + " DO\nEND ON\n")
			if err != nil {
				t.Fatal(err)
			}
			h := p.Handlers[0]
			if h.From != tt.want || h.RouteString() != tt.route {
				t.Errorf("From %v, route %q; want %v, %q", h.From, h.RouteString(), tt.want, tt.route)
			}
		})
	}
}
