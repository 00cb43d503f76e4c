package lang

import "github.com/alecthomas/participle/v2/lexer"

// stmtParser parses a top-level block into the same parse tree as the
// participle grammar (grammar.go), by hand: participle's reflective parse of
// statements was most of a full load's time. It takes only the path
// participle would take and succeed on; at anything else, every syntax error
// included, it gives up and participle parses the block, so that messages and
// recovery stay participle's. FuzzStmtParserMatchesGrammar holds that
// whatever it returns is exactly participle's tree.
//
// Keywords are told by token type where participle matches literals by value:
// the same thing, as only the scanner makes keyword-valued tokens (a call
// name joins identifiers, which are never keywords).
type stmtParser struct {
	lex *tokCursor
}

// tokCursor reads one top-level block of a file's tokens in place, as if the
// file ended where the block does: past its tokens comes eof, again and again.
type tokCursor struct {
	toks []lexer.Token // without the EOF
	i    int
	eof  lexer.Token
}

func (c *tokCursor) Peek() *lexer.Token { return c.at(c.i) }

// at is token i of the block, or its EOF past the end.
func (c *tokCursor) at(i int) *lexer.Token {
	if i < len(c.toks) {
		return &c.toks[i]
	}
	return &c.eof
}

func (c *tokCursor) Next() *lexer.Token {
	t := c.Peek()
	if c.i < len(c.toks) {
		c.i++
	}
	return t
}

// giveUp is the panic that abandons the hand parse.
type giveUp struct{}

// handParse parses a block by hand; ok is false when it gave up.
func handParse(lex *tokCursor) (f *gFile, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			f, ok = nil, false // a bug here must not crash a load: participle decides
		}
	}()
	p := stmtParser{lex: lex}
	return p.file(), true
}

func (p *stmtParser) fail() { panic(giveUp{}) }

func (p *stmtParser) peek() *lexer.Token { return p.lex.Peek() }

// peek2 is the token after the next one.
func (p *stmtParser) peek2() *lexer.Token {
	return p.lex.at(p.lex.i + 1)
}

func (p *stmtParser) is(v string) bool { return p.lex.Peek().Value == v }

func (p *stmtParser) isKw(t *lexer.Token, v string) bool { return t.Type == tKeyword && t.Value == v }

// want consumes a token whose value is v, as a participle literal.
func (p *stmtParser) want(v string) *lexer.Token {
	t := p.lex.Next()
	if t.Value != v {
		p.fail()
	}
	return t
}

func (p *stmtParser) isSep() bool { t := p.lex.Peek(); return t.Type == tEOL || t.Value == ":" }

// file is gFile: { EOL | ":" | Top } up to EOF.
func (p *stmtParser) file() *gFile {
	f := &gFile{}
	for {
		switch t := p.peek(); {
		case t.EOF():
			return f
		case p.isSep():
			p.lex.Next()
		default:
			f.Items = append(f.Items, p.top())
		}
	}
}

func (p *stmtParser) top() *gTop {
	t := p.peek()
	switch {
	case p.isKw(t, "ON") && p.isKw(p.peek2(), "WEBHOOK"):
		return &gTop{Handler: p.handler()}
	case p.isKw(t, "ON") && p.peek2().Value == "SCHEDULE":
		s := &gSchedule{Pos: p.want("ON").Pos}
		p.want("SCHEDULE")
		s.Cron = p.arg()
		p.want("DO")
		s.Body = p.block()
		p.want("END")
		p.want("ON")
		return &gTop{Schedule: s}
	case p.isKw(t, "SUB") || p.isKw(t, "FUNCTION"):
		return &gTop{Proc: p.proc()}
	}
	return &gTop{Stmt: p.stmt()}
}

func (p *stmtParser) handler() *gHandler {
	h := &gHandler{Pos: p.want("ON").Pos}
	p.want("WEBHOOK")
	h.Method = p.word()
	p.want("TO")
	h.Path = p.str()
	if p.is("FROM") {
		p.lex.Next()
		h.From = p.word()
	}
	p.want("DO")
	h.Body = p.block()
	p.want("END")
	p.want("ON")
	return h
}

func (p *stmtParser) proc() *gProc {
	t := p.lex.Next()
	g := &gProc{Pos: t.Pos, Kind: t.Value, Name: p.word()}
	switch t := p.peek(); {
	case t.Type == tCallParen || t.Value == "(":
		p.lex.Next()
		if t := p.peek(); t.Type == tIdent || t.Type == tStrName {
			g.Params = p.names()
		}
		p.want(")")
	case t.Type == tIdent || t.Type == tStrName:
		g.Params = p.names()
	}
	g.Body = p.block()
	p.want("END")
	g.End = p.word()
	return g
}

// names is Name { "," Name }.
func (p *stmtParser) names() []*gName {
	out := []*gName{p.name()}
	for p.is(",") {
		p.lex.Next()
		out = append(out, p.name())
	}
	return out
}

func (p *stmtParser) word() *gWord {
	t := p.lex.Next()
	switch t.Type {
	case tIdent, tCallName, tCallName0, tKeyword:
		return &gWord{Pos: t.Pos, Value: t.Value}
	}
	p.fail()
	return nil
}

func (p *stmtParser) name() *gName {
	t := p.lex.Next()
	if t.Type != tIdent && t.Type != tStrName {
		p.fail()
	}
	return &gName{Pos: t.Pos, Value: t.Value}
}

func (p *stmtParser) str() *gStr {
	t := p.lex.Next()
	if t.Type != tString {
		p.fail()
	}
	return &gStr{Pos: t.Pos, Value: t.Value}
}

func (p *stmtParser) expr() *gExpr {
	g := &gExpr{}
	if parseInto(p.lex, &g.X, 0) != nil {
		p.fail()
	}
	return g
}

func (p *stmtParser) arg() *gArg {
	g := &gArg{}
	if parseInto(p.lex, &g.X, precArith) != nil {
		p.fail()
	}
	return g
}

// startsStmt reports whether a statement starts with t. On any other keyword,
// and on a token that is no name, every alternative of gStmt fails without
// consuming a token, which ends participle's repetitions cleanly.
func startsStmt(t *lexer.Token) bool {
	switch t.Type {
	case tIdent, tStrName, tCallName, tCallName0:
		return true
	case tKeyword:
		switch t.Value {
		case "LET", "CALL", "IF", "FOR", "SELECT", "WHILE", "DO", "EXIT", "RETURN", "SPAWN":
			return true
		}
	}
	return false
}

// block is gBlock: { Sep | Stmt Sep }, ending where no statement starts.
func (p *stmtParser) block() *gBlock {
	b := &gBlock{}
	for {
		switch t := p.peek(); {
		case p.isSep():
			p.lex.Next()
		case startsStmt(t):
			b.Stmts = append(b.Stmts, p.stmt())
			if !p.isSep() {
				p.fail()
			}
			p.lex.Next()
		default:
			return b
		}
	}
}
