package lang

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Binary operators by precedence, lowest first. NOT (a prefix) sits between
// AND and the comparisons; unary minus between * / MOD and ^. All are
// left-associative except ^.
var binOps = map[string]struct {
	op   Op
	prec int
}{
	"OR": {OpOr, 1}, "AND": {OpAnd, 2},
	"=": {OpEq, 4}, "<>": {OpNe, 4}, "<": {OpLt, 4}, ">": {OpGt, 4}, "<=": {OpLe, 4}, ">=": {OpGe, 4},
	"+": {OpAdd, 5}, "-": {OpSub, 5}, "&": {OpCat, 5},
	"*": {OpMul, 6}, "/": {OpDiv, 6}, "MOD": {OpMod, 6},
	"^": {OpPow, 8},
}

const (
	precArith = 5 // a bare argument stops at comparisons and logic
	precNot   = 4 // NOT x: x extends over comparisons, not AND/OR
	precNeg   = 8 // -x: x extends over ^ only, so -2^2 is -(2^2)
)

var tNumber = symbols["Number"]

// Parse implements participle.Parseable.
func (g *gExpr) Parse(lex *lexer.PeekingLexer) error {
	return parseInto(lex, &g.X, 0)
}

// Parse implements participle.Parseable.
func (g *gArg) Parse(lex *lexer.PeekingLexer) error {
	return parseInto(lex, &g.X, precArith)
}

// tokenSource is what the hand parsers read: participle's PeekingLexer, or a
// tokCursor over a block's tokens (stmtparse.go).
type tokenSource interface {
	Peek() *lexer.Token
	Next() *lexer.Token
}

func parseInto(lex tokenSource, x *Expr, floor int) error {
	if !startsOperand(lex.Peek()) {
		return participle.NextMatch
	}
	p := exprParser{lex: lex, floor: floor}
	var err error
	*x, err = p.expr(0)
	return err
}

// exprParser climbs precedence over the token stream. Operators binding
// looser than floor end the expression (bare word-call arguments).
type exprParser struct {
	lex   tokenSource
	floor int
}

func isOp(t *lexer.Token, v string) bool { return t.Type == tOp && t.Value == v }

func startsOperand(t *lexer.Token) bool {
	switch t.Type {
	case tString, tNumber, tCallName, tCallName0, tIdent, tStrName:
		return true
	case tOp:
		return t.Value == "(" || t.Value == "-"
	case tKeyword:
		return t.Value == "NOT"
	}
	return false
}

func (p *exprParser) binop(t *lexer.Token) (Op, int, bool) {
	if t.Type != tOp && !(t.Type == tKeyword && (t.Value == "AND" || t.Value == "OR" || t.Value == "MOD")) {
		return 0, 0, false
	}
	info, ok := binOps[t.Value]
	if !ok || info.prec < p.floor {
		return 0, 0, false
	}
	return info.op, info.prec, true
}

func (p *exprParser) expr(minPrec int) (Expr, error) {
	lhs, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.lex.Peek()
		op, prec, ok := p.binop(t)
		if !ok || prec < minPrec {
			return lhs, nil
		}
		p.lex.Next()
		next := prec + 1
		if op == OpPow {
			next = prec
		}
		rhs, err := p.expr(next)
		if err != nil {
			return nil, err
		}
		lhs = &Binary{P: posOf(t.Pos), Op: op, L: lhs, R: rhs}
	}
}

func (p *exprParser) unary() (Expr, error) {
	t := p.lex.Peek()
	var op Op
	var prec int
	switch {
	case isOp(t, "-"):
		op, prec = OpNeg, precNeg
	case t.Type == tKeyword && t.Value == "NOT":
		op, prec = OpNot, max(precNot, p.floor)
	default:
		return p.primary()
	}
	p.lex.Next()
	x, err := p.expr(prec)
	if err != nil {
		return nil, err
	}
	return &Unary{P: posOf(t.Pos), Op: op, X: x}, nil
}

func expected(t *lexer.Token, what string) error {
	return &participle.UnexpectedTokenError{Unexpected: *t, Expect: what}
}

func (p *exprParser) primary() (Expr, error) {
	t := p.lex.Next()
	pos := posOf(t.Pos)
	switch t.Type {
	case tString:
		return &StrLit{P: pos, Value: unquote(t.Value)}, nil
	case tNumber:
		f, err := strconv.ParseFloat(t.Value, 64)
		if err != nil {
			return nil, participle.Errorf(t.Pos, "number %s is out of range", t.Value)
		}
		return &NumLit{P: pos, Value: f}, nil
	case tCallName, tCallName0:
		call := &CallExpr{P: pos, Name: t.Value, Builtin: -1}
		var err error
		if t.Type == tCallName {
			call.Args, err = p.callArgs()
		} else if p.lex.Peek().Type == tCallParen {
			call.Args, err = p.parenArgs()
		}
		return call, err
	case tIdent, tStrName:
		return p.name(t)
	}
	if isOp(t, "(") {
		x, err := (&exprParser{lex: p.lex}).expr(0)
		if err != nil {
			return nil, err
		}
		if end := p.lex.Next(); !isOp(end, ")") {
			return nil, expected(end, `")"`)
		}
		return x, nil
	}
	return nil, expected(t, "an expression")
}

// name reads a variable, or a call of a name nothing defines: NAME(...) or
// several words. Their words are kept for the checker's did-you-mean.
func (p *exprParser) name(t *lexer.Token) (Expr, error) {
	pos := posOf(t.Pos)
	if p.lex.Peek().Type == tCallParen {
		args, err := p.parenArgs()
		return &CallExpr{P: pos, Name: t.Value, Args: args, Builtin: -1, words: []string{t.Value}}, err
	}
	if t.Type != tIdent || p.lex.Peek().Type != tIdent {
		return &VarRef{P: pos, Name: t.Value, Slot: -1}, nil
	}
	words := []string{t.Value}
	for p.lex.Peek().Type == tIdent {
		words = append(words, p.lex.Next().Value)
	}
	args, err := p.callArgs()
	for err == nil && isOp(p.lex.Peek(), ",") {
		p.lex.Next()
		var a Expr
		a, err = p.arg()
		args = append(args, a)
	}
	return &CallExpr{P: pos, Name: strings.Join(words, " "), Args: args, Builtin: -1, words: words}, err
}

// callArgs reads NAME(args) when the parenthesis touches the name, else a
// bare comma-separated list of arithmetic arguments, possibly empty.
func (p *exprParser) callArgs() ([]Expr, error) {
	if p.lex.Peek().Type == tCallParen {
		return p.parenArgs()
	}
	if !startsOperand(p.lex.Peek()) {
		return nil, nil
	}
	var args []Expr
	for {
		a, err := p.arg()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if !isOp(p.lex.Peek(), ",") {
			return args, nil
		}
		p.lex.Next()
	}
}

func (p *exprParser) arg() (Expr, error) {
	return (&exprParser{lex: p.lex, floor: precArith}).expr(0)
}

func (p *exprParser) parenArgs() ([]Expr, error) {
	p.lex.Next() // the CallParen
	if isOp(p.lex.Peek(), ")") {
		p.lex.Next()
		return []Expr{}, nil
	}
	var args []Expr
	for {
		a, err := (&exprParser{lex: p.lex}).expr(0)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		switch t := p.lex.Next(); {
		case isOp(t, ")"):
			return args, nil
		case !isOp(t, ","):
			return nil, expected(t, `"," or ")"`)
		}
	}
}
