package lang

// The checker writes into the AST it checks (variable slots, frames, call
// targets, compiled JSON paths, route segments). A Loader keeps each file's
// parse as the parser left it and checks a copy made here, so the cached
// parse is never written and two programs never share a node the checker
// writes. (Literal-only expressions are shared: neither the checker nor the
// runtime writes them. TestLoaderCheckDoesNotWriteKeptParses holds that.)
//
// Copies come from per-type slabs: a reload copies every node of the
// program, and one allocation per node would cost more than the copying.

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
	k := &cloner{}
	c = &File{Name: f.Name, Handlers: copySlice(f.Handlers), Schedules: copySlice(f.Schedules), Procs: copySlice(f.Procs)}
	for i, h := range f.Handlers {
		n := *h
		n.Segments = copySlice(h.Segments)
		n.Frame = Frame{Names: copySlice(h.Frame.Names)}
		n.Body = k.stmts(h.Body)
		c.Handlers[i] = &n
	}
	for i, sc := range f.Schedules {
		n := *sc
		n.Frame = Frame{Names: copySlice(sc.Frame.Names)}
		n.Body = k.stmts(sc.Body)
		c.Schedules[i] = &n
	}
	for i, p := range f.Procs {
		n := *p
		n.Params = copySlice(p.Params)
		n.paramPos = copySlice(p.paramPos)
		n.Frame = Frame{Names: copySlice(p.Frame.Names)}
		n.Body = k.stmts(p.Body)
		c.Procs[i] = &n
	}
	return c, true
}

// unknownNode is the panic the cloner raises for a type it does not know;
// cloneFile turns it into ok == false.
type unknownNode struct{ node any }

// slab hands out *T from chunks, each twice the last (up to 512): small
// files waste little, large ones allocate rarely.
type slab[T any] struct{ buf []T }

func (s *slab[T]) new(v T) *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, min(max(2*cap(s.buf), 8), 512))
	}
	s.buf = append(s.buf, v)
	return &s.buf[len(s.buf)-1]
}

// list hands out []T of a given length from chunks; each has its own
// capacity, so an append never runs into a neighbour.
type list[T any] struct{ buf []T }

func (l *list[T]) make(n int) []T {
	if n == 0 || n > 64 {
		return make([]T, n) // never nil: the copy of an empty list is empty
	}
	if cap(l.buf)-len(l.buf) < n {
		l.buf = make([]T, 0, min(max(2*cap(l.buf), 4*n), 2048))
	}
	start := len(l.buf)
	l.buf = l.buf[:start+n]
	return l.buf[start : start+n : start+n]
}

type cloner struct {
	varRefs   slab[VarRef]
	calls     slab[CallExpr]
	unaries   slab[Unary]
	binaries  slab[Binary]
	assigns   slab[Assign]
	ifs       slab[If]
	fors      slab[For]
	forEachs  slab[ForEach]
	whiles    slab[While]
	selects   slab[Select]
	cases     slab[Case]
	exits     slab[Exit]
	returns   slab[Return]
	callStmts slab[CallStmt]
	spawns    slab[Spawn]
	exprLists list[Expr]
	stmtLists list[Stmt]
}

func (k *cloner) stmts(l []Stmt) []Stmt {
	if l == nil {
		return nil
	}
	out := k.stmtLists.make(len(l))
	for i, s := range l {
		out[i] = k.stmt(s)
	}
	return out
}

func (k *cloner) stmt(s Stmt) Stmt {
	switch s := s.(type) {
	case *Assign:
		n := k.assigns.new(*s)
		n.X = k.expr1(s.X)
		return n
	case *If:
		n := k.ifs.new(*s)
		n.Conds = k.exprs(s.Conds)
		n.Blocks = copySlice(s.Blocks)
		for i, b := range s.Blocks {
			n.Blocks[i] = k.stmts(b)
		}
		n.Else = k.stmts(s.Else)
		return n
	case *For:
		n := k.fors.new(*s)
		n.From, n.To, n.Step = k.expr1(s.From), k.expr1(s.To), k.expr1(s.Step)
		n.Body = k.stmts(s.Body)
		return n
	case *ForEach:
		n := k.forEachs.new(*s)
		n.X, n.Body = k.expr1(s.X), k.stmts(s.Body)
		return n
	case *While:
		n := k.whiles.new(*s)
		n.Cond, n.Body = k.expr1(s.Cond), k.stmts(s.Body)
		return n
	case *Select:
		n := k.selects.new(*s)
		n.X = k.expr1(s.X)
		n.Cases = copySlice(s.Cases)
		for i, cs := range s.Cases {
			nc := k.cases.new(*cs)
			nc.Values, nc.Body = k.exprs(cs.Values), k.stmts(cs.Body)
			n.Cases[i] = nc
		}
		n.Else = k.stmts(s.Else)
		return n
	case *Exit:
		return k.exits.new(*s)
	case *Return:
		n := k.returns.new(*s)
		n.X = k.expr1(s.X)
		return n
	case *CallStmt:
		n := k.callStmts.new(*s)
		n.Call = k.call(s.Call)
		return n
	case *Spawn:
		n := k.spawns.new(*s)
		n.Call = k.call(s.Call)
		return n
	}
	panic(unknownNode{s})
}

// exprs copies l, or returns it as is when every element is literal-only
// (see expr).
func (k *cloner) exprs(l []Expr) []Expr {
	var out []Expr
	for i, e := range l {
		c, copied := k.expr(e)
		if copied && out == nil {
			out = k.exprLists.make(len(l))
			copy(out, l)
		}
		if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return l
	}
	return out
}

// expr1 is expr for a single operand.
func (k *cloner) expr1(e Expr) Expr {
	c, _ := k.expr(e)
	return c
}

// expr copies e. Nodes the checker never writes and whose operands are all
// such nodes (literals and their arithmetic) are shared, not copied: copied
// is false for them. Variable references and calls are always copied.
func (k *cloner) expr(e Expr) (c Expr, copied bool) {
	switch e := e.(type) {
	case nil:
		return nil, false
	case *StrLit, *NumLit:
		return e, false
	case *VarRef:
		return k.varRefs.new(*e), true
	case *Unary:
		x, copied := k.expr(e.X)
		if !copied {
			return e, false
		}
		n := k.unaries.new(*e)
		n.X = x
		return n, true
	case *Binary:
		l, lc := k.expr(e.L)
		r, rc := k.expr(e.R)
		if !lc && !rc {
			return e, false
		}
		n := k.binaries.new(*e)
		n.L, n.R = l, r
		return n, true
	case *CallExpr:
		return k.call(e), true
	}
	panic(unknownNode{e})
}

func (k *cloner) call(c *CallExpr) *CallExpr {
	if c == nil {
		return nil
	}
	n := k.calls.new(*c)
	n.Args = k.exprs(c.Args)
	n.words = copySlice(c.words)
	return n
}

// copySlice copies s, keeping nil apart from empty (the checker tells them
// apart for CallExpr.words).
func copySlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
