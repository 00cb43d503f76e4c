package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// stmt is gStmt, its alternative chosen as participle's ordered choice does:
// the first that matches (stmtparse.go).
func (p *stmtParser) stmt() *gStmt {
	t := p.peek()
	s := &gStmt{Pos: t.Pos}
	switch t.Type {
	case tIdent, tStrName:
		switch {
		case p.peek2().Value == "=":
			s.Assign = p.assign()
		case t.Type == tIdent:
			s.Unknown = p.unknown()
		default:
			p.fail()
		}
	case tCallName, tCallName0:
		var f gForm
		start := p.lex.i
		switch err := f.parse(p.lex); err {
		case nil:
			s.Form = &f
		case participle.NextMatch:
			p.lex.i = start
			s.Call = p.callStmt()
		default:
			p.fail()
		}
	case tKeyword:
		p.keywordStmt(s, t)
	default:
		p.fail()
	}
	return s
}

func (p *stmtParser) keywordStmt(s *gStmt, t *lexer.Token) {
	switch t.Value {
	case "LET":
		s.Assign = p.assign()
	case "CALL":
		s.Call, s.Unknown = p.callOrUnknown()
	case "IF":
		s.If = p.ifStmt()
	case "FOR":
		if p.isKw(p.peek2(), "EACH") {
			s.ForEach = p.forEach()
		} else {
			s.For = p.forStmt()
		}
	case "SELECT":
		s.Select = p.selectStmt()
	case "WHILE":
		p.lex.Next()
		s.While = &gWhile{Cond: p.expr(), Body: p.block()}
		p.want("WEND")
	case "DO":
		p.lex.Next()
		p.want("WHILE")
		s.Do = &gDo{Cond: p.expr(), Body: p.block()}
		p.want("LOOP")
	case "EXIT":
		p.lex.Next()
		w := p.lex.Next()
		if w.Type != tKeyword || (w.Value != "FOR" && w.Value != "WHILE" && w.Value != "DO") {
			p.fail()
		}
		s.Exit = &gExit{What: w.Value}
	case "RETURN":
		p.lex.Next()
		s.Return = &gReturn{}
		if startsOperand(p.peek()) {
			s.Return.X = p.expr()
		}
	case "SPAWN":
		p.lex.Next()
		c, u := p.callOrUnknown()
		s.Spawn = &gSpawn{Call: c, Unknown: u}
	default:
		p.fail()
	}
}

// callOrUnknown is [ "CALL" ] then a call name (gCallStmt) or identifiers
// (gUnknown).
func (p *stmtParser) callOrUnknown() (*gCallStmt, *gUnknown) {
	t := p.peek()
	if p.isKw(t, "CALL") {
		t = p.peek2()
	}
	switch t.Type {
	case tCallName, tCallName0:
		return p.callStmt(), nil
	case tIdent:
		return nil, p.unknown()
	}
	p.fail()
	return nil, nil
}

func (p *stmtParser) assign() *gAssign {
	if p.isKw(p.peek(), "LET") {
		p.lex.Next()
	}
	a := &gAssign{Var: p.name()}
	p.want("=")
	a.X = p.expr()
	return a
}

func (p *stmtParser) callStmt() *gCallStmt {
	if p.isKw(p.peek(), "CALL") {
		p.lex.Next()
	}
	t := p.lex.Next()
	if t.Type != tCallName && t.Type != tCallName0 {
		p.fail()
	}
	return &gCallStmt{Name: &gCallName{Pos: t.Pos, Value: t.Value}, Args: p.args()}
}

func (p *stmtParser) unknown() *gUnknown {
	u := &gUnknown{Pos: p.peek().Pos}
	if p.isKw(p.peek(), "CALL") {
		p.lex.Next()
	}
	for p.peek().Type == tIdent {
		u.Words = append(u.Words, p.lex.Next().Value)
	}
	if len(u.Words) == 0 {
		p.fail()
	}
	u.Args = p.args()
	for p.is(",") {
		p.lex.Next()
		u.More = append(u.More, p.arg())
	}
	return u
}

// args is the optional gArgs: ParenArgs | Arg { "," Arg }.
func (p *stmtParser) args() *gArgs {
	switch t := p.peek(); {
	case t.Type == tCallParen:
		p.lex.Next()
		g := &gParenArgs{}
		if startsOperand(p.peek()) {
			g.Args = append(g.Args, p.expr())
			for p.is(",") {
				p.lex.Next()
				g.Args = append(g.Args, p.expr())
			}
		}
		p.want(")")
		return &gArgs{Paren: g}
	case startsOperand(t):
		a := &gArgs{Bare: []*gArg{p.arg()}}
		for p.is(",") {
			p.lex.Next()
			a.Bare = append(a.Bare, p.arg())
		}
		return a
	}
	return nil
}

func (p *stmtParser) ifStmt() *gIf {
	p.lex.Next()
	g := &gIf{Cond: p.expr()}
	p.want("THEN")
	if p.peek().Type != tEOL {
		g.Line = p.ifLine()
		return g
	}
	p.lex.Next()
	b := &gIfBlock{Body: p.block()}
	for p.isKw(p.peek(), "ELSEIF") {
		e := &gElsIf{Pos: p.lex.Next().Pos, Cond: p.expr()}
		p.want("THEN")
		e.Body = p.block()
		b.ElseIfs = append(b.ElseIfs, e)
	}
	if p.isKw(p.peek(), "ELSE") {
		p.lex.Next()
		b.Else = p.block()
	}
	p.want("END")
	p.want("IF")
	g.Block = b
	return g
}

// ifLine is gIfLine: Stmt { ":" Stmt } [ "ELSE" Stmt { ":" Stmt } ]. A ":"
// not followed by a statement ends the list and is left for the enclosing block.
func (p *stmtParser) ifLine() *gIfLine {
	l := &gIfLine{Then: p.stmtList()}
	if p.isKw(p.peek(), "ELSE") {
		p.lex.Next()
		l.Else = p.stmtList()
	}
	return l
}

func (p *stmtParser) stmtList() []*gStmt {
	out := []*gStmt{p.stmt()}
	for p.is(":") && startsStmt(p.peek2()) {
		p.lex.Next()
		out = append(out, p.stmt())
	}
	return out
}

func (p *stmtParser) forEach() *gForEach {
	p.lex.Next()
	p.lex.Next() // EACH
	g := &gForEach{Var: p.name()}
	p.want("IN")
	g.X = p.expr()
	g.Body = p.block()
	g.Next = p.next()
	return g
}

func (p *stmtParser) forStmt() *gFor {
	p.lex.Next()
	g := &gFor{Var: p.name()}
	p.want("=")
	g.From = p.expr()
	p.want("TO")
	g.To = p.expr()
	if p.is("STEP") {
		p.lex.Next()
		g.Step = p.expr()
	}
	g.Body = p.block()
	g.Next = p.next()
	return g
}

func (p *stmtParser) next() *gNext {
	n := &gNext{Pos: p.want("NEXT").Pos}
	if t := p.peek(); t.Type == tIdent || t.Type == tStrName {
		n.Name = p.name()
	}
	return n
}

func (p *stmtParser) selectStmt() *gSelect {
	p.lex.Next()
	p.want("CASE")
	g := &gSelect{X: p.expr()}
	for p.isSep() {
		p.lex.Next()
	}
	for p.isKw(p.peek(), "CASE") && !p.isKw(p.peek2(), "ELSE") {
		c := &gCase{Pos: p.lex.Next().Pos, Values: []*gExpr{p.expr()}}
		for p.is(",") {
			p.lex.Next()
			c.Values = append(c.Values, p.expr())
		}
		c.Body = p.block()
		g.Cases = append(g.Cases, c)
	}
	if p.isKw(p.peek(), "CASE") {
		p.lex.Next()
		p.lex.Next()
		g.Else = &gCaseElse{Body: p.block()}
	}
	p.want("END")
	p.want("SELECT")
	return g
}
