package lang

import (
	"maps"
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Statement forms are builtins with a syntax of their own, such as
// SEND MAIL TO a WITH SUBJECT s AND BODY b. This file is the one place lang
// spells them: the constants name the builtins (the host's table registers an
// implementation under each), and forms gives their syntax.
//
// To add a form: a constant, an entry in forms, and a builtin with that name
// in the host's table. The form's pattern decides its argument count, which
// the builtin's MinArgs/MaxArgs should allow.
const (
	StmtPrint        = "PRINT"
	StmtLog          = "LOG"
	StmtSendMail     = "SEND MAIL"
	StmtSendWhatsApp = "SEND WHATSAPP"
	// StmtSendWhatsAppTemplate is SEND WHATSAPP TEMPLATE TO to WITH name, language[, param...].
	StmtSendWhatsAppTemplate = "SEND WHATSAPP TEMPLATE"
	StmtSetHeader            = "SET RESPONSE HEADER"
	StmtSetStatus            = "SET RESPONSE STATUS"
)

// form is the syntax after a statement form's name. pattern is a list of
// space-separated elements:
//
//	WORD   that word (a keyword or a name), e.g. TO
//	_      an argument as in a word call: comparisons and logic end it
//	*      a full expression
//	_...   one or more "_" arguments separated by commas (last element only)
//
// When the first element does not match, the statement is not this form but
// a plain call of the builtin (SEND MAIL a, s, b). A pattern starting with *
// takes "(" after the name as the start of its expression (PRINT ("a") & "b").
// list, when set, replaces the pattern: any number of full expressions
// separated by it, a trailing one allowed (PRINT a; b;).
type form struct {
	pattern string
	list    string
}

var forms = map[string]form{
	StmtPrint:                {list: ";"},
	StmtLog:                  {pattern: "*"},
	StmtSendMail:             {pattern: "TO _ WITH SUBJECT _ AND BODY _"},
	StmtSendWhatsApp:         {pattern: "TO _ WITH _"},
	StmtSendWhatsAppTemplate: {pattern: "TO _ WITH _..."},
	StmtSetHeader:            {pattern: "_ TO _"},
	StmtSetStatus:            {pattern: "TO _"},
}

// StatementForms lists the names of the statement forms, sorted, so that a
// host can check that its table implements each.
func StatementForms() []string {
	return slices.Sorted(maps.Keys(forms))
}

// takesExpr reports whether a form's arguments start right after its name as
// a full expression, so that "(" there opens a parenthesis, not an argument list.
func takesExpr(name string) bool {
	f, ok := forms[name]
	return ok && (f.list != "" || strings.HasPrefix(f.pattern, "*"))
}

// gForm is a statement form: a call name (merged by names.go) followed by its
// syntax. It is parsed by hand from the forms table.
type gForm struct {
	Name string
	Args []Expr
}

// Parse implements participle.Parseable. It answers NextMatch, consuming
// nothing, when the statement does not start as a form.
func (g *gForm) Parse(lex *lexer.PeekingLexer) error {
	start := lex.MakeCheckpoint()
	err := g.parse(lex)
	if err == participle.NextMatch {
		lex.LoadCheckpoint(start)
	}
	return err
}

// parse is Parse, but on NextMatch it may have consumed the form's name.
func (g *gForm) parse(lex tokenSource) error {
	t := lex.Peek()
	if t.Type != tCallName && t.Type != tCallName0 {
		return participle.NextMatch
	}
	f, ok := forms[t.Value]
	if !ok {
		return participle.NextMatch
	}
	g.Name = t.Value
	lex.Next()
	var err error
	if f.list != "" {
		g.Args, err = parseList(lex, f.list)
	} else {
		g.Args, err = parsePattern(lex, strings.Fields(f.pattern))
	}
	return err
}

// parseList reads [ Expr { sep Expr } [ sep ] ].
func parseList(lex tokenSource, sep string) ([]Expr, error) {
	args := []Expr{}
	for startsOperand(lex.Peek()) {
		var x Expr
		if err := parseInto(lex, &x, 0); err != nil {
			return nil, err
		}
		args = append(args, x)
		if !isOp(lex.Peek(), sep) {
			break
		}
		lex.Next()
	}
	return args, nil
}

// parsePattern reads the elements of a form's pattern. Until the first element
// has matched it answers NextMatch; after that, a mismatch is a syntax error.
func parsePattern(lex tokenSource, elems []string) ([]Expr, error) {
	args := []Expr{}
	for i, el := range elems {
		miss := func(what string) error {
			if i == 0 {
				return participle.NextMatch
			}
			return expected(lex.Peek(), what)
		}
		switch el {
		case "_", "*", "_...":
			floor := precArith
			if el == "*" {
				floor = 0
			}
			var x Expr
			if err := parseInto(lex, &x, floor); err == participle.NextMatch {
				return nil, miss("an expression")
			} else if err != nil {
				return nil, err
			}
			args = append(args, x)
			for el == "_..." && isOp(lex.Peek(), ",") {
				lex.Next()
				if err := parseInto(lex, &x, floor); err == participle.NextMatch {
					return nil, expected(lex.Peek(), "an expression")
				} else if err != nil {
					return nil, err
				}
				args = append(args, x)
			}
		default:
			if t := lex.Peek(); t.Type == tString || t.Value != el {
				return nil, miss(`"` + el + `"`)
			}
			lex.Next()
		}
	}
	return args, nil
}
