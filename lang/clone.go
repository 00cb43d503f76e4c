package lang

// The checker writes into the AST it checks (variable slots, frames, call
// targets, compiled JSON paths, route segments). A Loader keeps each file's
// parse as the parser left it and checks a copy made here, so the cached
// parse is never written and two programs never share a node the checker
// writes. (Literal-only expressions are shared: neither the checker nor the
// runtime writes them. TestLoaderCheckDoesNotWriteKeptParses holds that.)

// cloneFile deep-copies a parsed, unchecked file. ok is false when the file
// holds a node type this file does not know; the Loader then re-parses that
// file on every load instead of caching it.
func cloneFile(f *File) (c *File, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, unknown := r.(unknownNode); !unknown {
				panic(r)
			}
			c, ok = nil, false
		}
	}()
	c = &File{Name: f.Name, Handlers: copySlice(f.Handlers), Procs: copySlice(f.Procs)}
	for i, h := range f.Handlers {
		n := *h
		n.Segments = copySlice(h.Segments)
		n.Frame = Frame{Names: copySlice(h.Frame.Names)}
		n.Body = cloneStmts(h.Body)
		c.Handlers[i] = &n
	}
	for i, p := range f.Procs {
		n := *p
		n.Params = copySlice(p.Params)
		n.paramPos = copySlice(p.paramPos)
		n.Frame = Frame{Names: copySlice(p.Frame.Names)}
		n.Body = cloneStmts(p.Body)
		c.Procs[i] = &n
	}
	return c, true
}

// unknownNode is the panic cloneStmt and cloneExpr raise for a type they do
// not know; cloneFile turns it into ok == false.
type unknownNode struct{ node any }

func cloneStmts(list []Stmt) []Stmt {
	if list == nil {
		return nil
	}
	out := make([]Stmt, len(list))
	for i, s := range list {
		out[i] = cloneStmt(s)
	}
	return out
}

func cloneStmt(s Stmt) Stmt {
	switch s := s.(type) {
	case *Assign:
		n := *s
		n.X = clone(s.X)
		return &n
	case *If:
		n := *s
		n.Conds = cloneExprs(s.Conds)
		n.Blocks = copySlice(s.Blocks)
		for i, b := range s.Blocks {
			n.Blocks[i] = cloneStmts(b)
		}
		n.Else = cloneStmts(s.Else)
		return &n
	case *For:
		n := *s
		n.From, n.To, n.Step = clone(s.From), clone(s.To), clone(s.Step)
		n.Body = cloneStmts(s.Body)
		return &n
	case *ForEach:
		n := *s
		n.X, n.Body = clone(s.X), cloneStmts(s.Body)
		return &n
	case *While:
		n := *s
		n.Cond, n.Body = clone(s.Cond), cloneStmts(s.Body)
		return &n
	case *Select:
		n := *s
		n.X = clone(s.X)
		n.Cases = copySlice(s.Cases)
		for i, cs := range s.Cases {
			nc := *cs
			nc.Values, nc.Body = cloneExprs(cs.Values), cloneStmts(cs.Body)
			n.Cases[i] = &nc
		}
		n.Else = cloneStmts(s.Else)
		return &n
	case *Exit:
		n := *s
		return &n
	case *Return:
		n := *s
		n.X = clone(s.X)
		return &n
	case *CallStmt:
		n := *s
		n.Call = cloneCall(s.Call)
		return &n
	case *Spawn:
		n := *s
		n.Call = cloneCall(s.Call)
		return &n
	}
	panic(unknownNode{s})
}

// cloneExprs copies list, or returns it as is when every element is
// literal-only (see cloneExpr).
func cloneExprs(list []Expr) []Expr {
	var out []Expr
	for i, e := range list {
		c, copied := cloneExpr(e)
		if copied && out == nil {
			out = copySlice(list)
		}
		if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return list
	}
	return out
}

// clone is cloneExpr for a single operand.
func clone(e Expr) Expr {
	c, _ := cloneExpr(e)
	return c
}

// cloneExpr copies e. Nodes the checker never writes and whose operands are
// all such nodes (literals and their arithmetic) are shared, not copied:
// copied is false for them. Variable references and calls are always copied.
func cloneExpr(e Expr) (c Expr, copied bool) {
	switch e := e.(type) {
	case nil:
		return nil, false
	case *StrLit, *NumLit:
		return e, false
	case *VarRef:
		n := *e
		return &n, true
	case *Unary:
		x, copied := cloneExpr(e.X)
		if !copied {
			return e, false
		}
		n := *e
		n.X = x
		return &n, true
	case *Binary:
		l, lc := cloneExpr(e.L)
		r, rc := cloneExpr(e.R)
		if !lc && !rc {
			return e, false
		}
		n := *e
		n.L, n.R = l, r
		return &n, true
	case *CallExpr:
		return cloneCall(e), true
	}
	panic(unknownNode{e})
}

func cloneCall(c *CallExpr) *CallExpr {
	if c == nil {
		return nil
	}
	n := *c
	n.Args = cloneExprs(c.Args)
	n.words = copySlice(c.words)
	return &n
}

// copySlice copies s, keeping nil apart from empty (the checker tells them
// apart for CallExpr.words).
func copySlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
