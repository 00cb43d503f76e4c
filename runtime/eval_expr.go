package runtime

import (
	"fmt"
	"math"

	"github.com/gbhook/gbhook/lang"
)

// cexpr is a compiled expression; konst is its value when known at load time
// (literals, and operators over them that did not fail).
type cexpr struct {
	fn    evalFn
	konst Value
}

var (
	vTrue  Value = Bool(true)
	vFalse Value = Bool(false)
)

// smallNums are boxed small integers: counters and small results are the
// commonest numbers, and boxing a float64 in an interface allocates.
var smallNums = func() (t [1280]Value) {
	for i := range t {
		t[i] = Num(i - 256)
	}
	return t
}()

// numV boxes f, without allocating for small integers.
func numV(f float64) Value {
	if i := int(f); float64(i) == f && uint(i+256) < uint(len(smallNums)) {
		return smallNums[i+256]
	}
	return Num(f)
}

func boolV(b bool) Value {
	if b {
		return vTrue
	}
	return vFalse
}

func constant(v Value) cexpr {
	return cexpr{fn: func(*Thread, []Value) (Value, error) { return v, nil }, konst: v}
}

func (c *compiler) expr(e lang.Expr) (cexpr, error) {
	switch e := e.(type) {
	case *lang.StrLit:
		return constant(Str(e.Value)), nil
	case *lang.NumLit:
		return constant(Num(e.Value)), nil
	case *lang.VarRef:
		return varRef(e), nil
	case *lang.Unary:
		return c.unary(e)
	case *lang.Binary:
		return c.binary(e)
	case *lang.CallExpr:
		return c.call(e)
	}
	return cexpr{}, fmt.Errorf("%s: runtime: unknown expression %T", e.Position(), e)
}

func (c *compiler) exprs(es []lang.Expr) ([]evalFn, error) {
	fns := make([]evalFn, len(es))
	for i, e := range es {
		x, err := c.expr(e)
		if err != nil {
			return nil, err
		}
		fns[i] = x.fn
	}
	return fns, nil
}

// varRef reads a slot; nil there means no assignment on the path taken.
func varRef(e *lang.VarRef) cexpr {
	slot, pos, name := e.Slot, e.P, e.Name // the message is built on failure: a load compiles many
	return cexpr{fn: func(_ *Thread, f []Value) (Value, error) {
		if v := f[slot]; v != nil {
			return v, nil
		}
		return nil, errAt(pos, "variable "+name+" is not assigned")
	}}
}

// fold evaluates x at load time when all its operands are constants. An
// operation that fails (1/0) is left to fail at run time, at its place.
func fold(x cexpr, operands ...cexpr) cexpr {
	for _, o := range operands {
		if o.konst == nil {
			return x
		}
	}
	if v, err := x.fn(nil, nil); err == nil {
		return constant(v)
	}
	return x
}

func (c *compiler) unary(e *lang.Unary) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	xf, pos := x.fn, e.P
	var fn evalFn
	if e.Op == lang.OpNot {
		fn = func(th *Thread, f []Value) (Value, error) {
			v, err := xf(th, f)
			if err != nil {
				return nil, err
			}
			return boolV(!Truthy(v)), nil
		}
	} else {
		fn = func(th *Thread, f []Value) (Value, error) {
			v, err := xf(th, f)
			if err != nil {
				return nil, err
			}
			n, ok := ToNumber(v)
			if !ok {
				return nil, errAt(pos, "operator - needs a number, got "+Describe(v))
			}
			return numV(-n), nil
		}
	}
	return fold(cexpr{fn: fn}, x), nil
}

func (c *compiler) binary(e *lang.Binary) (cexpr, error) {
	if (e.Op == lang.OpAdd || e.Op == lang.OpCat) && !c.plain {
		return c.catChain(e) // concat.go
	}
	l, err := c.expr(e.L)
	if err != nil {
		return cexpr{}, err
	}
	r, err := c.expr(e.R)
	if err != nil {
		return cexpr{}, err
	}
	lf, rf, op, pos := l.fn, r.fn, e.Op, e.P
	var fn evalFn
	switch op {
	case lang.OpAnd, lang.OpOr:
		// Short-circuit: AND stops at a false left side, OR at a true one.
		stopOn := op == lang.OpOr
		fn = func(th *Thread, f []Value) (Value, error) {
			a, err := lf(th, f)
			if err != nil {
				return nil, err
			}
			if Truthy(a) == stopOn {
				return boolV(stopOn), nil
			}
			b, err := rf(th, f)
			if err != nil {
				return nil, err
			}
			return boolV(Truthy(b)), nil
		}
	case lang.OpEq, lang.OpNe:
		fn = compareText(lf, rf, r.konst, op, pos)
	default:
		fn = binary(lf, rf, binOp(op), pos)
	}
	return fold(cexpr{fn: fn}, l, r), nil
}

// compareText is = or <>: against a text constant (IF X$ = "" ...), a text
// left side compares at once; anything else as binOp does.
func compareText(lf, rf evalFn, konst Value, op lang.Op, pos lang.Pos) evalFn {
	apply := binOp(op)
	k, ok := konst.(Str)
	if !ok {
		return binary(lf, rf, apply, pos)
	}
	eq := op == lang.OpEq
	return func(th *Thread, f []Value) (Value, error) {
		a, err := lf(th, f)
		if err != nil {
			return nil, err
		}
		s, ok := a.(Str)
		if !ok {
			return apply(th, &pos, a, k)
		}
		if err := th.Work(min(len(s), len(k))); err != nil {
			return nil, budgetAt(&pos, err)
		}
		return boolV((s == k) == eq), nil
	}
}

// binary evaluates both sides, left first, then applies the operator.
func binary(lf, rf evalFn, apply opFn, pos lang.Pos) evalFn {
	return func(th *Thread, f []Value) (Value, error) {
		a, err := lf(th, f)
		if err != nil {
			return nil, err
		}
		b, err := rf(th, f)
		if err != nil {
			return nil, err
		}
		return apply(th, &pos, a, b)
	}
}

type opFn func(th *Thread, p *lang.Pos, a, b Value) (Value, error)

// binOp picks an operator's implementation once, at load time.
func binOp(op lang.Op) opFn {
	switch op {
	case lang.OpAdd:
		return opAdd
	case lang.OpCat:
		return concat
	case lang.OpEq:
		return func(th *Thread, p *lang.Pos, a, b Value) (Value, error) {
			if err := th.Work(textCmpLen(a, b)); err != nil {
				return nil, budgetAt(p, err)
			}
			return boolV(equal(a, b)), nil
		}
	case lang.OpNe:
		return func(th *Thread, p *lang.Pos, a, b Value) (Value, error) {
			if err := th.Work(textCmpLen(a, b)); err != nil {
				return nil, budgetAt(p, err)
			}
			return boolV(!equal(a, b)), nil
		}
	case lang.OpLt, lang.OpGt, lang.OpLe, lang.OpGe:
		return func(th *Thread, p *lang.Pos, a, b Value) (Value, error) {
			if err := th.Work(textCmpLen(a, b)); err != nil {
				return nil, budgetAt(p, err)
			}
			return boolV(holds(op, compare(a, b))), nil
		}
	}
	return func(_ *Thread, p *lang.Pos, a, b Value) (Value, error) { return arith(p, op, a, b) }
}

// textCmpLen is the bytes comparing a and b as text may read: the shorter
// text's length (not positive unless both are strings or JSON).
func textCmpLen(a, b Value) int { return min(textBytes(a), textBytes(b)) }

// textBytes is the length of a string or JSON, else -1.
func textBytes(v Value) int {
	switch x := v.(type) {
	case Str:
		return len(x)
	case JSON:
		return len(x)
	}
	return -1
}

// budgetAt positions a budget error (from Alloc or Work) at p.
func budgetAt(p *lang.Pos, err error) error {
	return &Error{Pos: *p, Msg: err.Error(), Err: err}
}

// opAdd adds two numbers and concatenates when either side is text (a
// string or JSON); anything else (a boolean with a number) is an error.
func opAdd(th *Thread, p *lang.Pos, a, b Value) (Value, error) {
	x, xok := a.(Num)
	y, yok := b.(Num)
	switch {
	case xok && yok:
		return numV(float64(x + y)), nil
	case isText(a) || isText(b):
		return concat(th, p, a, b)
	case !xok:
		return nil, errAt(*p, "operator + needs numbers or strings, got "+Describe(a))
	}
	return nil, errAt(*p, "operator + needs numbers or strings, got "+Describe(b))
}

// isText reports whether v is a string or JSON. A type switch, not Kind:
// it compares the type word instead of calling a method.
func isText(v Value) bool {
	switch v.(type) {
	case Str, JSON:
		return true
	}
	return false
}

// textLen is the length of v's text; it formats numbers and booleans.
func textLen(v Value) int {
	switch x := v.(type) {
	case Str:
		return len(x)
	case JSON:
		return len(x)
	}
	return len(v.String())
}

// concat joins the texts of a and b (+ on text, and &). The result's size
// counts against the memory budget before it is allocated.
func concat(th *Thread, p *lang.Pos, a, b Value) (Value, error) {
	s1, j1 := textOf(a)
	s2, j2 := textOf(b)
	n := len(s1) + len(j1) + len(s2) + len(j2)
	if err := th.Alloc(n); err != nil {
		return nil, budgetAt(p, err)
	}
	if _, ok := b.(Str); ok && len(s1)+len(j1) == 0 {
		return b, nil // "" + s is s: no copy
	}
	if _, ok := a.(Str); ok && len(s2)+len(j2) == 0 {
		return a, nil
	}
	v, buf := newStr(n)
	i := copy(buf, s1)
	i += copy(buf[i:], j1)
	i += copy(buf[i:], s2)
	copy(buf[i:], j2)
	return v, nil
}

// textOf gives v's text: JSON as its bytes (not copied), anything else as a
// string (numbers and booleans formatted).
func textOf(v Value) (string, JSON) {
	switch x := v.(type) {
	case Str:
		return string(x), nil
	case JSON:
		return "", x
	}
	return v.String(), nil
}

// arith is - * / MOD ^ over numbers; a string that reads as a number counts.
func arith(p *lang.Pos, op lang.Op, a, b Value) (Value, error) {
	x, ok := ToNumber(a)
	if !ok {
		return nil, errAt(*p, "operator "+op.String()+" needs numbers, got "+Describe(a))
	}
	y, ok := ToNumber(b)
	if !ok {
		return nil, errAt(*p, "operator "+op.String()+" needs numbers, got "+Describe(b))
	}
	switch op {
	case lang.OpSub:
		return numV(x - y), nil
	case lang.OpMul:
		return numV(x * y), nil
	case lang.OpDiv, lang.OpMod:
		if y == 0 {
			return nil, errAt(*p, "division by zero")
		}
		if op == lang.OpMod {
			return numV(math.Mod(x, y)), nil
		}
		return numV(x / y), nil
	case lang.OpPow:
		return numV(math.Pow(x, y)), nil
	}
	return nil, errAt(*p, "runtime: unknown operator "+op.String())
}

// numbers gives both sides as numbers when the comparison is numeric: two
// numbers, or a number and a string that reads as one (a form field "10"
// against 9). Anything else compares as text.
func numbers(a, b Value) (x, y float64, ok bool) {
	an, aok := a.(Num)
	bn, bok := b.(Num)
	switch {
	case aok && bok:
		return float64(an), float64(bn), true
	case aok:
		if s, sok := b.(Str); sok {
			y, ok = ParseNumber(string(s))
			return float64(an), y, ok
		}
	case bok:
		if s, sok := a.(Str); sok {
			x, ok = ParseNumber(string(s))
			return x, float64(bn), ok
		}
	}
	return 0, 0, false
}

// equal is = (and CASE matching).
func equal(a, b Value) bool {
	if x, ok := a.(Str); ok {
		if y, ok := b.(Str); ok {
			return x == y
		}
	}
	if x, y, ok := numbers(a, b); ok {
		return x == y
	}
	return a.String() == b.String()
}

// compare orders a and b: -1, 0 or 1 (NaN compares as unordered: 2).
func compare(a, b Value) int {
	if x, y, ok := numbers(a, b); ok {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		case x == y:
			return 0
		}
		return 2
	}
	s, t := a.String(), b.String()
	switch {
	case s < t:
		return -1
	case s > t:
		return 1
	}
	return 0
}

func holds(op lang.Op, c int) bool {
	switch op {
	case lang.OpLt:
		return c == -1
	case lang.OpGt:
		return c == 1
	case lang.OpLe:
		return c == -1 || c == 0
	}
	return c == 1 || c == 0 // OpGe
}

func (c *compiler) call(e *lang.CallExpr) (cexpr, error) {
	args, err := c.exprs(e.Args)
	if err != nil {
		return cexpr{}, err
	}
	if e.Builtin >= 0 {
		if e.Builtin >= len(c.m.fns) {
			return cexpr{}, fmt.Errorf("%s: runtime: builtin index %d out of range for %s", e.P, e.Builtin, e.Name)
		}
		return cexpr{fn: builtinCall(e, c.m.fns[e.Builtin], args)}, nil
	}
	if e.Proc == nil {
		return cexpr{}, fmt.Errorf("%s: runtime: call to %s is not resolved", e.P, e.Name)
	}
	return cexpr{fn: procCall(e, c.procFor(e.Proc), args, c.m.opts.MaxDepth)}, nil
}

// builtinCall evaluates the arguments onto the thread's stack (no allocation)
// and hands the builtin a view of them, valid only during the call.
func builtinCall(site *lang.CallExpr, fn BuiltinFunc, args []evalFn) evalFn {
	n := len(args)
	switch n {
	case 0:
		return func(th *Thread, _ []Value) (Value, error) {
			v, err := fn(th, site, nil)
			return result(site, v, err)
		}
	case 1: // the commonest calls, without the loop
		a0 := args[0]
		return func(th *Thread, f []Value) (Value, error) {
			v, err := a0(th, f)
			if err != nil {
				return nil, err
			}
			base := th.push(1)
			th.stack[base] = v
			v, err = fn(th, site, th.stack[base:base+1:base+1])
			th.release(base)
			return result(site, v, err)
		}
	case 2:
		a0, a1 := args[0], args[1]
		return func(th *Thread, f []Value) (Value, error) {
			base := th.push(2)
			v, err := a0(th, f)
			if err != nil {
				th.release(base)
				return nil, err
			}
			th.stack[base] = v
			if v, err = a1(th, f); err != nil {
				th.release(base)
				return nil, err
			}
			th.stack[base+1] = v
			v, err = fn(th, site, th.stack[base:base+2:base+2])
			th.release(base)
			return result(site, v, err)
		}
	}
	return func(th *Thread, f []Value) (Value, error) {
		base := th.push(n) // every slot is written before the call
		for i, a := range args {
			v, err := a(th, f)
			if err != nil {
				th.release(base)
				return nil, err
			}
			th.stack[base+i] = v
		}
		v, err := fn(th, site, th.stack[base:base+n:base+n])
		th.release(base)
		return result(site, v, err)
	}
}

func result(site *lang.CallExpr, v Value, err error) (Value, error) {
	if err != nil {
		return nil, builtinError(site, err)
	}
	if v == nil { // a statement builtin gives nothing
		return Empty, nil
	}
	return v, nil
}

// procCall runs a SUB or FUNCTION in a new frame on the thread's stack:
// arguments fill the parameter slots, the rest start unassigned.
func procCall(site *lang.CallExpr, pc *code, args []evalFn, maxDepth int) evalFn {
	pos := site.P
	return func(th *Thread, f []Value) (Value, error) {
		if th.depth >= maxDepth {
			return nil, &Error{Pos: pos, Msg: "recursion too deep", Err: ErrRecursion}
		}
		size := pc.size
		base := th.reserve(size)
		for i, a := range args {
			v, err := a(th, f)
			if err != nil {
				th.release(base)
				return nil, err
			}
			th.stack[base+i] = v
		}
		th.depth++
		_, err := pc.body.exec(th, th.stack[base:base+size:base+size])
		th.depth--
		th.release(base)
		ret := th.ret
		th.ret = nil
		if err != nil {
			return nil, err
		}
		if ret == nil || pc.proc.Kind == lang.KindSub {
			return Empty, nil
		}
		return ret, nil
	}
}
