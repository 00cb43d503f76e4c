package lang

var cmpOps = map[string]Op{"=": OpEq, "<>": OpNe, "<": OpLt, ">": OpGt, "<=": OpLe, ">=": OpGe}
var addOps = map[string]Op{"+": OpAdd, "-": OpSub, "&": OpCat}
var mulOps = map[string]Op{"*": OpMul, "/": OpDiv, "MOD": OpMod}

// The grammar gives each precedence level as a head and a list of (op, operand);
// folding the list from the left makes every binary operator left-associative.

func (c *converter) expr(g *gExpr) Expr {
	x := c.and(g.Left)
	for _, r := range g.Rest {
		x = &Binary{P: posOf(r.Pos), Op: OpOr, L: x, R: c.and(r.X)}
	}
	return x
}

func (c *converter) and(g *gAnd) Expr {
	x := c.not(g.Left)
	for _, r := range g.Rest {
		x = &Binary{P: posOf(r.Pos), Op: OpAnd, L: x, R: c.not(r.X)}
	}
	return x
}

func (c *converter) not(g *gNot) Expr {
	if g.Not != nil {
		return &Unary{P: posOf(g.Pos), Op: OpNot, X: c.not(g.Not)}
	}
	x := c.add(g.Cmp.Left)
	for _, r := range g.Cmp.Rest {
		x = &Binary{P: posOf(r.Pos), Op: cmpOps[r.Op], L: x, R: c.add(r.X)}
	}
	return x
}

func (c *converter) add(g *gAdd) Expr {
	x := c.mul(g.Left)
	for _, r := range g.Rest {
		x = &Binary{P: posOf(r.Pos), Op: addOps[r.Op], L: x, R: c.mul(r.X)}
	}
	return x
}

func (c *converter) mul(g *gMul) Expr {
	x := c.unary(g.Left)
	for _, r := range g.Rest {
		x = &Binary{P: posOf(r.Pos), Op: mulOps[r.Op], L: x, R: c.unary(r.X)}
	}
	return x
}

func (c *converter) unary(g *gUnary) Expr {
	if g.Neg != nil {
		return &Unary{P: posOf(g.Pos), Op: OpNeg, X: c.unary(g.Neg)}
	}
	base := c.primary(g.Pow.Base)
	if g.Pow.Exp == nil {
		return base
	}
	return &Binary{P: posOf(g.Pow.OpPos.Pos), Op: OpPow, L: base, R: c.unary(g.Pow.Exp)}
}

func (c *converter) primary(g *gPrimary) Expr {
	p := posOf(g.Pos)
	switch {
	case g.Num != nil:
		return c.number(g.Pos, *g.Num)
	case g.Str != nil:
		return &StrLit{P: p, Value: unquote(*g.Str)}
	case g.Group != nil:
		return c.expr(g.Group)
	case g.Call != nil:
		return &CallExpr{P: p, Name: g.Call.Name, Args: c.args(g.Call.Args), Builtin: -1}
	case g.Call0 != nil:
		call := &CallExpr{P: p, Name: g.Call0.Name, Builtin: -1}
		if g.Call0.Paren != nil {
			call.Args = c.parenArgs(g.Call0.Paren)
		}
		return call
	case g.Unknown != nil:
		return c.unknownCall(g.Pos, g.Unknown.Words, g.Unknown.Args, g.Unknown.More)
	}
	if g.Var.Paren != nil {
		// NAME(...) where nothing defines NAME: an unknown function.
		return &CallExpr{P: p, Name: g.Var.Name, Args: c.parenArgs(g.Var.Paren), Builtin: -1, words: []string{g.Var.Name}}
	}
	return &VarRef{P: p, Name: g.Var.Name, Slot: -1}
}
