package lang

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// tokenize is the reference lexer: lexDef run by participle. It lexes one file, folds the case of names and keywords once, and
// drops comments and blanks. A lexing problem is returned positioned.
func tokenize(name string, src []byte) ([]lexer.Token, *Error) {
	lx, err := lexDef.LexString(name, string(src))
	if err != nil {
		return nil, &Error{Pos: Pos{File: name, Line: 1, Col: 1}, Msg: err.Error()}
	}
	var out []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil {
			return nil, lexError(name, src, err)
		}
		if elidedTypes[t.Type] {
			continue
		}
		switch t.Type {
		case tKeyword, tIdent, tStrName:
			t.Value = strings.ToUpper(t.Value)
		case tBadString:
			return nil, &Error{Pos: posOf(t.Pos), Msg: "unterminated string"}
		}
		out = append(out, t)
		if t.EOF() {
			return out, nil
		}
	}
}

func lexError(name string, src []byte, err error) *Error {
	if pe, ok := err.(interface{ Position() lexer.Position }); ok {
		p := posOf(pe.Position())
		off := pe.Position().Offset
		msg := err.Error()
		if m, ok := err.(interface{ Message() string }); ok {
			msg = m.Message()
		}
		msg = strings.TrimPrefix(msg, "lexer: ")
		if strings.HasPrefix(msg, "invalid input text ") {
			r, _ := utf8.DecodeRune(src[off:])
			msg = "unexpected character " + quote(string(r))
		}
		return &Error{Pos: p, Msg: msg}
	}
	return &Error{Pos: Pos{File: name, Line: 1, Col: 1}, Msg: err.Error()}
}

// sameTokens compares the fast scanner with the reference lexer.
func sameTokens(src string) error {
	want, werr := tokenize("f.bas", []byte(src))
	got, gerr := scan("f.bas", []byte(src))
	if werr != nil || gerr != nil {
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
			return fmt.Errorf("errors differ: spec %v, scan %v", werr, gerr)
		}
		return nil
	}
	if len(want) != len(got) {
		return fmt.Errorf("%d tokens, spec has %d:\n%v\n%v", len(got), len(want), got, want)
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Errorf("token %d: scan %#v, spec %#v", i, got[i], want[i])
		}
	}
	return nil
}

func TestScannerMatchesLexDef(t *testing.T) {
	tests := []string{
		"ON WEBHOOK POST TO \"/a\" DO\n  X$ = \"a\"\"b\" : PRINT X$ ' hi\nEND ON\n",
		"REM x\nREMAINDER = 1.5e3 + .5 - 1e + 2E-3\r\n",
		"“curly” \"open \"\"\n\"a\"\"\"\"b\"",
		"a<>b<=c>=d<e>f=g&h^i*j/k(l),m;n:o",
		"\t \r\f\vx\r \r\n",
		"if1 IF If iF$ rem$ Rem: fromx FROM$",
		"x = \"unterminated\n",
		"x = 1 ? 2",
		"ação = 1",
		"\"a\"\"",
		"1.2.3 4..5",
		"",
	}
	for i, src := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if err := sameTokens(src); err != nil {
				t.Error(err)
			}
		})
	}
}

func FuzzScannerMatchesLexDef(f *testing.F) {
	f.Add("X = \"a\"\"\" + 1e5 ' c\nREM r\n“q”")
	f.Add("IF A$<>B THEN PRINT 1 : REMARK = .5")
	f.Fuzz(func(t *testing.T, src string) {
		if err := sameTokens(src); err != nil {
			t.Fatal(err)
		}
	})
}
