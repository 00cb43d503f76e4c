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
