package lang

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The parse tree below mirrors the grammar; convert.go turns it into the AST.
// Call names have already been merged into CallName/CallName0 tokens (names.go).

// gFile = { Sep | Top } .
type gFile struct {
	Items []*gTop `parser:"( EOL | ':' | @@ )*"`

	errs ErrorList // syntax errors of top-level blocks that did not parse
}

// gTop = Handler | Schedule | Proc | Stmt .  (a top-level Stmt is a check error)
type gTop struct {
	Handler  *gHandler  `parser:"@@"`
	Schedule *gSchedule `parser:"| @@"`
	Proc     *gProc     `parser:"| @@"`
	Stmt     *gStmt     `parser:"| @@"`
}

// gHandler = "ON" "WEBHOOK" Word "TO" String [ "FROM" Word ] "DO" Block "END" "ON" .
type gHandler struct {
	Pos    lexer.Position
	Method *gWord  `parser:"'ON' 'WEBHOOK' @@"`
	Path   *gStr   `parser:"'TO' @@"`
	From   *gWord  `parser:"( 'FROM' @@ )?"`
	Body   *gBlock `parser:"'DO' @@ 'END' 'ON'"`
}

// gSchedule = "ON" "SCHEDULE" Arg "DO" Block "END" "ON" .  (the checker wants a string literal)
type gSchedule struct {
	Pos  lexer.Position
	Cron *gArg   `parser:"'ON' 'SCHEDULE' @@"`
	Body *gBlock `parser:"'DO' @@ 'END' 'ON'"`
}

// gProc = ("SUB" | "FUNCTION") Name [ "(" [ Params ] ")" | Params ] Block "END" ("SUB" | "FUNCTION") .
type gProc struct {
	Pos    lexer.Position
	Kind   string   `parser:"@('SUB' | 'FUNCTION')"`
	Name   *gWord   `parser:"@@"`
	Params []*gName `parser:"( ( CallParen | '(' ) ( @@ ( ',' @@ )* )? ')' | @@ ( ',' @@ )* )?"`
	Body   *gBlock  `parser:"@@"`
	End    *gWord   `parser:"'END' @@"`
}

// gWord = Ident | CallName | CallName0 | Keyword .
type gWord struct {
	Pos   lexer.Position
	Value string `parser:"@(Ident | CallName | CallName0 | Keyword)"`
}

// gName = Ident | StrName .
type gName struct {
	Pos   lexer.Position
	Value string `parser:"@(Ident | StrName)"`
}

// gStr = String .
type gStr struct {
	Pos   lexer.Position
	Value string `parser:"@String"`
}

// gBlock = { Sep | Stmt Sep } .
type gBlock struct {
	Stmts []*gStmt `parser:"( EOL | ':' | @@ ( EOL | ':' ) )*"`
}

// gStmt = Assign | Form | Call | If | ForEach | For | Select | While | Do
//
//	| Exit | Return | Spawn | Unknown .
//
// (Most frequent first: participle tries alternatives in order. Statement
// forms (forms.go) must precede Call, which would take their names too.)
type gStmt struct {
	Pos     lexer.Position
	Assign  *gAssign   `parser:"@@"`
	Form    *gForm     `parser:"| @@"`
	Call    *gCallStmt `parser:"| @@"`
	If      *gIf       `parser:"| @@"`
	ForEach *gForEach  `parser:"| @@"`
	For     *gFor      `parser:"| @@"`
	Select  *gSelect   `parser:"| @@"`
	While   *gWhile    `parser:"| @@"`
	Do      *gDo       `parser:"| @@"`
	Exit    *gExit     `parser:"| @@"`
	Return  *gReturn   `parser:"| @@"`
	Spawn   *gSpawn    `parser:"| @@"`
	Unknown *gUnknown  `parser:"| @@"`
}

// gIf = "IF" Expr "THEN" ( EOL Block { ElseIf } [ "ELSE" Block ] "END" "IF" | Line ) .
type gIf struct {
	Cond  *gExpr    `parser:"'IF' @@ 'THEN'"`
	Block *gIfBlock `parser:"( @@"`
	Line  *gIfLine  `parser:"| @@ )"`
}

// gIfBlock = EOL Block { ElseIf } [ "ELSE" Block ] "END" "IF" .
type gIfBlock struct {
	Body    *gBlock   `parser:"EOL @@"`
	ElseIfs []*gElsIf `parser:"@@*"`
	Else    *gBlock   `parser:"( 'ELSE' @@ )? 'END' 'IF'"`
}

// gElsIf = "ELSEIF" Expr "THEN" Block .
type gElsIf struct {
	Pos  lexer.Position
	Cond *gExpr  `parser:"'ELSEIF' @@ 'THEN'"`
	Body *gBlock `parser:"@@"`
}

// gIfLine = Stmt { ":" Stmt } [ "ELSE" Stmt { ":" Stmt } ] .
type gIfLine struct {
	Then []*gStmt `parser:"@@ ( ':' @@ )*"`
	Else []*gStmt `parser:"( 'ELSE' @@ ( ':' @@ )* )?"`
}

// gFor = "FOR" Name "=" Expr "TO" Expr [ "STEP" Expr ] Block Next .
type gFor struct {
	Var  *gName  `parser:"'FOR' @@ '='"`
	From *gExpr  `parser:"@@ 'TO'"`
	To   *gExpr  `parser:"@@"`
	Step *gExpr  `parser:"( 'STEP' @@ )?"`
	Body *gBlock `parser:"@@"`
	Next *gNext  `parser:"@@"`
}

// gForEach = "FOR" "EACH" Name "IN" Expr Block Next .
type gForEach struct {
	Var  *gName  `parser:"'FOR' 'EACH' @@ 'IN'"`
	X    *gExpr  `parser:"@@"`
	Body *gBlock `parser:"@@"`
	Next *gNext  `parser:"@@"`
}

// gNext = "NEXT" [ Name ] .
type gNext struct {
	Pos  lexer.Position
	Name *gName `parser:"'NEXT' @@?"`
}

// gWhile = "WHILE" Expr Block "WEND" .
type gWhile struct {
	Cond *gExpr  `parser:"'WHILE' @@"`
	Body *gBlock `parser:"@@ 'WEND'"`
}

// gDo = "DO" "WHILE" Expr Block "LOOP" .
type gDo struct {
	Cond *gExpr  `parser:"'DO' 'WHILE' @@"`
	Body *gBlock `parser:"@@ 'LOOP'"`
}

// gSelect = "SELECT" "CASE" Expr { Sep } { Case } [ CaseElse ] "END" "SELECT" .
type gSelect struct {
	X     *gExpr     `parser:"'SELECT' 'CASE' @@ ( EOL | ':' )*"`
	Cases []*gCase   `parser:"@@*"`
	Else  *gCaseElse `parser:"@@? 'END' 'SELECT'"`
}

// gCase = "CASE" Expr { "," Expr } Block .
type gCase struct {
	Pos    lexer.Position
	Values []*gExpr `parser:"'CASE' @@ ( ',' @@ )*"`
	Body   *gBlock  `parser:"@@"`
}

// gCaseElse = "CASE" "ELSE" Block .
type gCaseElse struct {
	Body *gBlock `parser:"'CASE' 'ELSE' @@"`
}

// gExit = "EXIT" ( "FOR" | "WHILE" | "DO" ) .
type gExit struct {
	What string `parser:"'EXIT' @('FOR' | 'WHILE' | 'DO')"`
}

// gReturn = "RETURN" [ Expr ] .
type gReturn struct {
	X *gExpr `parser:"'RETURN' @@?"`
}

// gSpawn = "SPAWN" ( CallStmt | Unknown ) .
type gSpawn struct {
	Call    *gCallStmt `parser:"'SPAWN' ( @@"`
	Unknown *gUnknown  `parser:"| @@ )"`
}

// gAssign = [ "LET" ] Name "=" Expr .
type gAssign struct {
	Var *gName `parser:"'LET'? @@ '='"`
	X   *gExpr `parser:"@@"`
}

// gCallStmt = [ "CALL" ] ( CallName | CallName0 ) Args .
type gCallStmt struct {
	Name *gCallName `parser:"'CALL'? @@"`
	Args *gArgs     `parser:"@@?"`
}

// gCallName = CallName | CallName0 .
type gCallName struct {
	Pos   lexer.Position
	Value string `parser:"@( CallName | CallName0 )"`
}

// gUnknown = Ident { Ident } [ Args ] { "," Arg } .  (a name no script or builtin defines)
type gUnknown struct {
	Pos   lexer.Position
	Words []string `parser:"'CALL'? @Ident+"`
	Args  *gArgs   `parser:"@@?"`
	More  []*gArg  `parser:"( ',' @@ )*"`
}

// gArgs = ParenArgs | Arg { "," Arg } .  (optional wherever it is used)
type gArgs struct {
	Paren *gParenArgs `parser:"@@"`
	Bare  []*gArg     `parser:"| @@ ( ',' @@ )*"`
}

// gParenArgs = CallParen [ Expr { "," Expr } ] ")" .
type gParenArgs struct {
	Args []*gExpr `parser:"CallParen ( @@ ( ',' @@ )* )? ')'"`
}

// gExpr is a full expression; gArg is a word call's bare argument, where
// comparisons and logic end it. Both are parsed by hand (exprparse.go) as
// participle Parseables: expressions are most of a script's nodes, and a
// precedence chain in the grammar cost a reflective branch per level per operand.
type gExpr struct{ X Expr }

// gArg: see gExpr.
type gArg struct{ X Expr }

// parser is built on first use: the hand parser answers for every block
// that parses, so a server whose scripts are fine never needs it. Built at
// start, it held 800 KB of heap for good, which every GC cycle marked.
var parser = sync.OnceValue(func() *participle.Parser[gFile] {
	parserBuilt.Store(true)
	return participle.MustBuild[gFile](participle.Lexer(lexDef), participle.UseLookahead(1))
})

// parserBuilt tells the tests whether a load needed participle.
var parserBuilt atomic.Bool

// sliceLexer feeds already-merged tokens to participle.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return l.toks[len(l.toks)-1], nil // the EOF token
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

// parseTokens parses one file's merged tokens block by block (topBlocks): a
// syntax error ends its block only, and parsing resumes at the next one. The
// blocks' errors travel in the gFile, whose conversion reports them; the
// *Error result is for the caller's sake and always nil. Each block is parsed
// by hand in place (stmtparse.go), and by participle, on a copy ending with
// an EOF token, only when the hand parser gives up.
func parseTokens(toks []lexer.Token) (*gFile, *Error) {
	f := &gFile{}
	for _, blk := range topBlocks(toks) {
		g, ok := handParse(&blk)
		if !ok {
			var err *Error
			if g, err = parseBlock(append(blk.toks[:len(blk.toks):len(blk.toks)], blk.eof)); err != nil {
				f.errs = append(f.errs, err)
				continue
			}
		}
		f.Items = append(f.Items, g.Items...)
	}
	return f, nil
}

// topBlocks splits a file's tokens (ending with EOF) where a line or
// statement starts with ON, SUB or FUNCTION: the units a structure or syntax
// error cannot reach past. Each block ends with an EOF token placed where the
// next block starts, as if the file ended there.
func topBlocks(toks []lexer.Token) []tokCursor {
	var out []tokCursor
	start := 0
	for i := 1; i < len(toks); i++ {
		if t := &toks[i]; t.Type == tKeyword && (t.Value == "ON" || t.Value == "SUB" || t.Value == "FUNCTION") && isSep(&toks[i-1]) { // topLevel, without a map lookup per keyword
			out = append(out, tokCursor{toks: toks[start:i], eof: lexer.EOFToken(t.Pos)})
			start = i
		}
	}
	last := len(toks) - 1
	return append(out, tokCursor{toks: toks[start:last], eof: toks[last]})
}

// parseBlock parses the tokens of one top-level block with participle.
func parseBlock(toks []lexer.Token) (*gFile, *Error) {
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, &Error{Pos: posOf(toks[0].Pos), Msg: err.Error()}
	}
	f, err := parseSafely(peek)
	if err != nil {
		if pe, ok := err.(participle.Error); ok {
			return nil, &Error{Pos: posOf(pe.Position()), Msg: friendly(pe.Message())}
		}
		return nil, &Error{Pos: posOf(toks[0].Pos), Msg: err.Error()}
	}
	return f, nil
}

// parseSafely turns a parser panic into an error: a script must never crash
// the server or the checker.
func parseSafely(peek *lexer.PeekingLexer) (f *gFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("cannot parse: %v", r)
		}
	}()
	return parser().ParseFromLexer(peek)
}

// friendly rewrites participle's expectations, which name grammar structs,
// into words a script author knows.
func friendly(msg string) string {
	for _, eol := range []string{`"<EOL>"`, `"\n"`, `"\r\n"`} {
		msg = strings.ReplaceAll(msg, eol, "end of line")
	}
	i := strings.Index(msg, " (expected ")
	if i < 0 {
		return msg
	}
	exp := msg[i+len(" (expected ") : len(msg)-1]
	switch {
	case strings.Contains(strings.ToLower(exp), "gexpr") || strings.Contains(strings.ToLower(exp), "garg"):
		exp = "an expression"
	case exp == `(<eol> | ":")`:
		exp = "end of statement"
	case strings.Contains(exp, "GBlock") || strings.Contains(exp, "GStmt"):
		exp = "a statement"
	}
	return msg[:i] + " (expected " + exp + ")"
}
