package runtime

import "github.com/gbhook/gbhook/lang"

// Fast paths for the statement shapes handlers are made of, compiled in
// place of the general closures. Each does exactly what the general code
// does (the same steps at the same positions, the same accounting, the
// same errors); it only saves the calls between closures.

// varTextCond is a condition X = "text" or X <> "text" (IF X$ = "" ...),
// read straight from the frame instead of through two closures.
type varTextCond struct {
	slot int
	name string
	vpos lang.Pos // the variable's, for "is not assigned"
	pos  lang.Pos // the operator's
	k    Str
	eq   bool
	op   opFn
}

// varTextCondOf gives the condition when e has that shape.
func varTextCondOf(e lang.Expr) *varTextCond {
	b, ok := e.(*lang.Binary)
	if !ok || (b.Op != lang.OpEq && b.Op != lang.OpNe) {
		return nil
	}
	v, ok := b.L.(*lang.VarRef)
	k, kok := b.R.(*lang.StrLit)
	if !ok || !kok {
		return nil
	}
	return &varTextCond{slot: v.Slot, name: v.Name, vpos: v.P, pos: b.P, k: Str(k.Value),
		eq: b.Op == lang.OpEq, op: binOp(b.Op)}
}

// holds is Truthy of the condition's value, as compareText gives it.
func (c *varTextCond) holds(th *Thread, f []Value) (bool, error) {
	a := f[c.slot]
	if a == nil {
		return false, errAt(c.vpos, "variable "+c.name+" is not assigned")
	}
	s, ok := a.(Str)
	if !ok {
		v, err := c.op(th, &c.pos, a, c.k)
		return err == nil && Truthy(v), err
	}
	if err := th.Work(min(len(s), len(c.k))); err != nil {
		return false, budgetAt(&c.pos, err)
	}
	return (s == c.k) == c.eq, nil
}

// ifVarText is IF X = "text" THEN ... [ELSE ...].
func ifVarText(cond *varTextCond, then, els block) execFn {
	return func(th *Thread, f []Value) (ctl, error) {
		ok, err := cond.holds(th, f)
		if err != nil {
			return ctlNone, err
		}
		if ok {
			return then.exec(th, f)
		}
		return els.exec(th, f)
	}
}

// defaultRun is the default-value idiom, two statements compiled as one:
//
//	LET X$ = expr
//	IF X$ = "text" THEN X$ = other
//
// (or <>, and any expressions). It counts the IF's step and the THEN
// assignment's at their own places, as the block would.
type defaultRun struct {
	slot      int
	x         evalFn // the LET's expression
	ifPos     lang.Pos
	cond      *varTextCond
	thenPos   lang.Pos
	thenX     evalFn
	thenKonst Value // thenX's value when a literal
}

// defaultAt gives the idiom's code when stmts starts with it (2), else 0.
func (c *compiler) defaultAt(stmts []lang.Stmt) (int, execFn, error) {
	if len(stmts) < 2 || c.plain {
		return 0, nil, nil
	}
	a, ok := stmts[0].(*lang.Assign)
	s, iok := stmts[1].(*lang.If)
	if !ok || !iok || len(s.Conds) != 1 || len(s.Blocks[0]) != 1 || len(s.Else) != 0 {
		return 0, nil, nil
	}
	cond := varTextCondOf(s.Conds[0])
	then, tok := s.Blocks[0][0].(*lang.Assign)
	if cond == nil || cond.slot != a.Slot || !tok || then.Slot != a.Slot {
		return 0, nil, nil
	}
	x, err := c.expr(a.X)
	if err != nil {
		return 0, nil, err
	}
	tx, err := c.expr(then.X)
	if err != nil {
		return 0, nil, err
	}
	d := &defaultRun{slot: a.Slot, x: x.fn, ifPos: s.P, cond: cond, thenPos: then.P, thenX: tx.fn}
	switch then.X.(type) { // literals only: a folded operator still accounts
	case *lang.StrLit, *lang.NumLit:
		d.thenKonst = tx.konst
	}
	return 2, d.run, nil
}

func (d *defaultRun) run(th *Thread, f []Value) (ctl, error) {
	v, err := d.x(th, f)
	if err != nil {
		return ctlNone, err
	}
	f[d.slot] = v
	if err := th.tick(&d.ifPos); err != nil {
		return ctlNone, err
	}
	if s, ok := v.(Str); ok { // holds, on the value just assigned
		c := d.cond
		if err := th.Work(min(len(s), len(c.k))); err != nil {
			return ctlNone, budgetAt(&c.pos, err)
		}
		if (s == c.k) != c.eq {
			return ctlNone, nil
		}
	} else if ok, err := d.cond.holds(th, f); !ok || err != nil {
		return ctlNone, err
	}
	if err := th.tick(&d.thenPos); err != nil {
		return ctlNone, err
	}
	if d.thenKonst != nil {
		f[d.slot] = d.thenKonst
		return ctlNone, nil
	}
	if v, err = d.thenX(th, f); err != nil {
		return ctlNone, err
	}
	f[d.slot] = v
	return ctlNone, nil
}
