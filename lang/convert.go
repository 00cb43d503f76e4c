package lang

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// converter turns one file's parse tree into AST nodes, collecting problems
// that only need the tree (stray top-level statements, bad numbers).
type converter struct {
	file string
	errs ErrorList
}

func (c *converter) errorf(p lexer.Position, msg string) {
	c.errs = append(c.errs, &Error{Pos: posOf(p), Msg: msg})
}

// file_ converts a file's tree; a file with syntax errors gives none.
func (c *converter) file_(g *gFile) *File {
	f := &File{Name: c.file}
	for _, it := range g.Items {
		switch {
		case it.Handler != nil:
			f.Handlers = append(f.Handlers, c.handler(it.Handler))
		case it.Schedule != nil:
			f.Schedules = append(f.Schedules, c.schedule(it.Schedule))
		case it.Proc != nil:
			f.Procs = append(f.Procs, c.proc(it.Proc))
		case it.Stmt != nil:
			c.errorf(it.Stmt.Pos, "statement outside ON WEBHOOK, ON SCHEDULE, SUB or FUNCTION")
		}
	}
	if len(g.errs) > 0 {
		c.errs = append(c.errs, g.errs...)
		return nil
	}
	return f
}

// handlerSrc keeps the positions the checker needs to point at method and path.
type handlerSrc struct {
	methodPos, pathPos, fromPos Pos
	from                        string
}

func (c *converter) handler(g *gHandler) *Handler {
	h := &Handler{P: posOf(g.Pos), Method: g.Method.Value, Path: unquote(g.Path.Value)}
	h.src = &handlerSrc{methodPos: posOf(g.Method.Pos), pathPos: posOf(g.Path.Pos)}
	if g.From != nil {
		h.src.from, h.src.fromPos = g.From.Value, posOf(g.From.Pos)
	}
	h.Body = c.block(g.Body)
	return h
}

func (c *converter) proc(g *gProc) *Proc {
	p := &Proc{P: posOf(g.Pos), Name: g.Name.Value, Kind: KindSub}
	if g.Kind == "FUNCTION" {
		p.Kind = KindFunction
	}
	if g.End.Value != g.Kind {
		c.errorf(g.End.Pos, "END "+g.End.Value+" closes "+g.Kind+" "+p.Name+"; expected END "+g.Kind)
	}
	for _, n := range g.Params {
		p.Params = append(p.Params, n.Value)
	}
	p.paramPos = make([]Pos, len(g.Params))
	for i, n := range g.Params {
		p.paramPos[i] = posOf(n.Pos)
	}
	p.Body = c.block(g.Body)
	return p
}

func (c *converter) block(b *gBlock) []Stmt {
	if b == nil {
		return nil
	}
	out := make([]Stmt, 0, len(b.Stmts))
	for _, s := range b.Stmts {
		if st := c.stmt(s); st != nil {
			out = append(out, st)
		}
	}
	return out
}

func (c *converter) stmts(list []*gStmt) []Stmt {
	out := make([]Stmt, 0, len(list))
	for _, s := range list {
		out = append(out, c.stmt(s))
	}
	return out
}

func (c *converter) stmt(s *gStmt) Stmt {
	p := posOf(s.Pos)
	switch {
	case s.If != nil:
		return c.ifStmt(p, s.If)
	case s.ForEach != nil:
		g := s.ForEach
		return &ForEach{P: p, Var: g.Var.Value, X: c.expr(g.X), Body: c.block(g.Body)}
	case s.For != nil:
		g := s.For
		f := &For{P: p, Var: g.Var.Value, From: c.expr(g.From), To: c.expr(g.To), Body: c.block(g.Body)}
		if g.Step != nil {
			f.Step = c.expr(g.Step)
		}
		return f
	case s.While != nil:
		return &While{P: p, Kind: LoopWhile, Cond: c.expr(s.While.Cond), Body: c.block(s.While.Body)}
	case s.Do != nil:
		return &While{P: p, Kind: LoopDo, Cond: c.expr(s.Do.Cond), Body: c.block(s.Do.Body)}
	case s.Select != nil:
		return c.selectStmt(p, s.Select)
	case s.Exit != nil:
		kind := map[string]ExitKind{"FOR": ExitFor, "WHILE": ExitWhile, "DO": ExitDo}[s.Exit.What]
		return &Exit{P: p, Kind: kind}
	case s.Return != nil:
		r := &Return{P: p}
		if s.Return.X != nil {
			r.X = c.expr(s.Return.X)
		}
		return r
	}
	return c.callLike(p, s)
}

// callLike converts the statements that become calls (statement forms,
// SPAWN, CALL) and assignments.
func (c *converter) callLike(p Pos, s *gStmt) Stmt {
	call := func(name string, args ...Expr) Stmt {
		return &CallStmt{P: p, Call: &CallExpr{P: p, Name: name, Args: args, Builtin: -1}}
	}
	switch {
	case s.Form != nil:
		return call(s.Form.Name, s.Form.Args...)
	case s.Assign != nil:
		return &Assign{P: p, Name: s.Assign.Var.Value, X: c.expr(s.Assign.X)}
	case s.Spawn != nil:
		if s.Spawn.Call != nil {
			return &Spawn{P: p, Call: c.namedCall(s.Spawn.Call.Name.Pos, s.Spawn.Call.Name.Value, s.Spawn.Call.Args)}
		}
		return &Spawn{P: p, Call: c.unknownCall(s.Spawn.Unknown.Pos, s.Spawn.Unknown.Words, s.Spawn.Unknown.Args, s.Spawn.Unknown.More)}
	case s.Call != nil:
		return &CallStmt{P: p, Call: c.namedCall(s.Call.Name.Pos, s.Call.Name.Value, s.Call.Args)}
	case s.Unknown != nil:
		return &CallStmt{P: p, Call: c.unknownCall(s.Unknown.Pos, s.Unknown.Words, s.Unknown.Args, s.Unknown.More)}
	}
	return nil
}

func (c *converter) ifStmt(p Pos, g *gIf) Stmt {
	st := &If{P: p, Conds: []Expr{c.expr(g.Cond)}}
	if g.Line != nil {
		st.Blocks = [][]Stmt{c.stmts(g.Line.Then)}
		if len(g.Line.Else) > 0 {
			st.Else = c.stmts(g.Line.Else)
		}
		return st
	}
	st.Blocks = [][]Stmt{c.block(g.Block.Body)}
	for _, e := range g.Block.ElseIfs {
		st.Conds = append(st.Conds, c.expr(e.Cond))
		st.Blocks = append(st.Blocks, c.block(e.Body))
	}
	if g.Block.Else != nil {
		st.Else = c.block(g.Block.Else)
	}
	return st
}

func (c *converter) selectStmt(p Pos, g *gSelect) Stmt {
	st := &Select{P: p, X: c.expr(g.X)}
	for _, cs := range g.Cases {
		vals := make([]Expr, len(cs.Values))
		for i, v := range cs.Values {
			vals[i] = c.expr(v)
		}
		st.Cases = append(st.Cases, &Case{P: posOf(cs.Pos), Values: vals, Body: c.block(cs.Body)})
	}
	if g.Else != nil {
		st.HasElse, st.Else = true, c.block(g.Else.Body)
	}
	return st
}

// args converts either argument form.
func (c *converter) args(a *gArgs) []Expr {
	if a == nil {
		return nil
	}
	if a.Paren != nil {
		return c.parenArgs(a.Paren)
	}
	out := make([]Expr, len(a.Bare))
	for i, x := range a.Bare {
		out[i] = c.arg(x)
	}
	return out
}

func (c *converter) parenArgs(a *gParenArgs) []Expr {
	out := make([]Expr, len(a.Args))
	for i, x := range a.Args {
		out[i] = c.expr(x)
	}
	return out
}

func (c *converter) namedCall(p lexer.Position, name string, a *gArgs) *CallExpr {
	return &CallExpr{P: posOf(p), Name: name, Args: c.args(a), Builtin: -1}
}

// unknownCall keeps the words of a name nothing defines, for the checker's hint.
func (c *converter) unknownCall(p lexer.Position, words []string, a *gArgs, more []*gArg) *CallExpr {
	args := c.args(a)
	for _, m := range more {
		args = append(args, c.arg(m))
	}
	return &CallExpr{P: posOf(p), Name: strings.Join(words, " "), Args: args, Builtin: -1, words: words}
}
