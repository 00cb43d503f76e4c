// Package lang owns the gbhook BASIC dialect: tokens, grammar (participle), AST
// and the checker that turns a directory of scripts into an immutable Program.
// It is the only package that imports participle.
package lang

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// keywords are reserved words. Contextual words (FROM, SUBJECT, BODY, method
// names...) stay identifiers so that they can also be parts of call names.
const keywords = `LET|IF|THEN|ELSEIF|ELSE|END|FOR|EACH|IN|TO|STEP|NEXT|WHILE|WEND|DO|LOOP|SELECT|CASE|EXIT|RETURN|CALL|SPAWN|AND|OR|NOT|MOD|ON|WEBHOOK|SUB|FUNCTION|WITH`

// never matches: token types the merge pass makes, declared so the grammar can name them.
const never = `[^\s\S]`

var lexDef = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `'[^\n]*`},
	{Name: "String", Pattern: `["“”](?:[^"“”\n]|"")*["“”]`},
	{Name: "BadString", Pattern: `["“”][^\n]*`},
	// A name ending in $ is never a keyword (FROM$, END$), so it comes first.
	{Name: "StrName", Pattern: `[A-Za-z][A-Za-z0-9_]*\$`},
	// \b after REM keeps REMAINDER an identifier.
	{Name: "Rem", Pattern: `(?i)\bREM\b[^\n]*`},
	{Name: "Keyword", Pattern: `(?i)\b(?:` + keywords + `)\b`},
	{Name: "Ident", Pattern: `[A-Za-z][A-Za-z0-9_]*`},
	// No sign: A-1 is A minus 1.
	{Name: "Number", Pattern: `(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`},
	{Name: "Op", Pattern: `<>|<=|>=|[-+*/^&=<>(),;:]`},
	{Name: "EOL", Pattern: `\r?\n`},
	{Name: "Space", Pattern: `[ \t\r\f\v]+`},
	{Name: "CallName", Pattern: never},
	{Name: "CallName0", Pattern: never},
	{Name: "CallParen", Pattern: never},
})

var (
	symbols     = lexDef.Symbols()
	tString     = symbols["String"]
	tBadString  = symbols["BadString"]
	tStrName    = symbols["StrName"]
	tKeyword    = symbols["Keyword"]
	tIdent      = symbols["Ident"]
	tOp         = symbols["Op"]
	tEOL        = symbols["EOL"]
	tCallName   = symbols["CallName"]
	tCallName0  = symbols["CallName0"]
	tCallParen  = symbols["CallParen"]
	tComment    = symbols["Comment"]
	tRem        = symbols["Rem"]
	tSpace      = symbols["Space"]
	elidedTypes = map[lexer.TokenType]bool{tComment: true, tRem: true, tSpace: true}
)

func posOf(p lexer.Position) Pos { return Pos{File: p.Filename, Line: p.Line, Col: p.Column} }

// isWord reports whether a token can be a word of a call name.
func isWord(t *lexer.Token) bool { return t.Type == tIdent }

// isSep reports whether a token ends a statement.
func isSep(t *lexer.Token) bool {
	return t.EOF() || t.Type == tEOL || (t.Type == tOp && t.Value == ":")
}

// unquote turns a string token into its value: outer quotes dropped, "" made ".
func unquote(s string) string {
	r := []rune(s)
	inner := string(r[1 : len(r)-1])
	return strings.ReplaceAll(inner, `""`, `"`)
}
