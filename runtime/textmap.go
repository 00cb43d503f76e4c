package runtime

import "github.com/gbhook/gbhook/lang"

// Text mappings: builtins of one argument that map its text byte by byte
// (XML ESCAPE, URL ENCODE). The builtins' table declares them (TextMaps);
// inside a string being built (S = S + "<a href=""" + XML ESCAPE(U$ +
// "/x") + """>"), such a call writes its result straight into the string,
// and its argument, when a chain of one run-time operand and constants, is
// never made either: the constants are mapped at load time, the operand at
// the copy. The budgets count what the general code counts, in the same
// order and at the same places: each operator of the argument's chain the
// string it would have made, the call the bytes it reads as work and the
// result it would have made, the build's operator the string it makes.

// TextMap is a builtin that maps text byte by byte: the mapping of a + b
// is the mapping of a followed by that of b, for any a and b.
type TextMap struct {
	// Size is the length of s mapped, and whether s maps to itself.
	Size func(s string) (n int, same bool)
	// Put writes s mapped at the start of dst, which has room for it, and
	// gives the bytes written.
	Put func(dst []byte, s string) int
}

// TextMaps is implemented by a Registry whose builtins may be text
// mappings: TextMap gives the mapping of the builtin named name, or nil.
// The builtin's BuiltinFunc must be the mapping's Builtin.
type TextMaps interface {
	TextMap(name string) *TextMap
}

// Builtin is the mapping as a builtin: it counts reading its argument as
// work and its result as allocated, then makes the result, or gives the
// argument back when it maps to itself.
func (tm *TextMap) Builtin() BuiltinFunc {
	return func(th *Thread, _ *lang.CallExpr, args []Value) (Value, error) {
		s := text(args[0])
		if err := th.Work(len(s)); err != nil {
			return nil, err
		}
		n, same := tm.Size(s)
		if err := th.Alloc(n); err != nil {
			return nil, err
		}
		if same {
			switch args[0].(type) {
			case Str:
				return args[0], nil // no new box
			case JSON:
				return Str(args[0].String()), nil // not a view of the JSON
			}
			return Str(s), nil
		}
		v, buf := newStr(n)
		tm.Put(buf, s)
		return v, nil
	}
}

// mapCall is a call of a text mapping inside a string build, its argument
// one operand known at run time only (dyn) between constants.
type mapCall struct {
	site *lang.CallExpr
	tm   *TextMap
	fn   BuiltinFunc
	dyn  evalFn
	// ch is the argument's chain when it is one: the constants that end it,
	// and head, a text constant before dyn (ch.parts[0]); else nil.
	ch   *catChain
	head bool
	// The constants' texts around dyn, their total length, mapped.
	prefix, mprefix string
	suffix, msuffix string
	around          int
	// ats are what the chain's operators add to dyn's length in the
	// strings they account, in order (accountAll).
	ats []int
}

// mapModes are what mapCall.eval tells the copy: the text is the call's
// result already (an argument whose text starts after numbers added), or
// it must be mapped (else it maps to itself).
const (
	mapWhole   = 1
	mapChanged = 2
	mapBits    = 2
	// maxMapOps is how many of an append run's first ops may be mappings:
	// each op's mode takes mapBits of a uint64.
	maxMapOps = 64 / mapBits
)

// mapCallOf compiles e as a mapCall when it is a call of a text mapping
// whose argument has that shape; else nil.
func (c *compiler) mapCallOf(e lang.Expr) (*mapCall, error) {
	call, ok := e.(*lang.CallExpr)
	if !ok || c.plain || call.Builtin < 0 || call.Builtin >= len(c.m.maps) || len(call.Args) != 1 {
		return nil, nil
	}
	tm := c.m.maps[call.Builtin]
	if tm == nil {
		return nil, nil
	}
	mc := &mapCall{site: call, tm: tm, fn: c.m.fns[call.Builtin]}
	arg, ok := call.Args[0].(*lang.Binary)
	if !ok || (arg.Op != lang.OpAdd && arg.Op != lang.OpCat) {
		x, err := c.expr(call.Args[0])
		if err != nil {
			return nil, err
		}
		mc.dyn = x.fn
		return mc.mapAround(), nil
	}
	firstE, ops := catChainOf(arg)
	first, err := c.expr(firstE)
	if err != nil {
		return nil, err
	}
	parts, err := c.catParts(ops)
	if err != nil {
		return nil, err
	}
	mc.ch = newCatChain(first.fn, parts)
	switch {
	case mc.ch.constFrom == 0 && first.konst == nil: // X$ + "constants"
		mc.dyn = first.fn
	case mc.ch.constFrom == 1 && first.konst != nil && isText(first.konst): // "k" + X$ + "constants"
		mc.head, mc.dyn, mc.prefix = true, parts[0].fn, text(first.konst)
	default:
		return nil, nil
	}
	mc.suffix = mc.ch.suffix
	mc.ats = chainAts(mc.ch.parts, mc.head, len(mc.prefix))
	return mc.mapAround(), nil
}

// mapParts finds the parts of a chain that are text mappings to write in
// place (among the first maxMapOps), and tells whether there are any.
func (c *compiler) mapParts(parts []catPart) (bool, error) {
	mapped := false
	for i := range parts[:min(len(parts), maxMapOps)] {
		if p := &parts[i]; p.konst == nil {
			var err error
			if p.mc, err = c.mapCallOf(p.x); err != nil {
				return false, err
			}
			mapped = mapped || p.mc != nil
		}
	}
	return mapped, nil
}

// chainAts gives, for each operator the chain of parts accounts (joined
// constants' included), the length of its string less dyn's: dyn is the
// first operand (tail), or parts[0] after the prefix (head).
func chainAts(parts []catPart, head bool, prefix int) []int {
	var ats []int
	cum := 0
	if head {
		ats, cum, parts = append(ats, prefix), prefix, parts[1:]
	}
	for i := range parts {
		p := &parts[i]
		if p.joins == nil {
			ats = append(ats, cum+len(p.text))
		}
		for _, j := range p.joins {
			ats = append(ats, cum+j.at)
		}
		cum += len(p.text)
	}
	return ats
}

// mapAround maps the constants around dyn, once.
func (mc *mapCall) mapAround() *mapCall {
	mc.mprefix, mc.msuffix = mapText(mc.tm, mc.prefix), mapText(mc.tm, mc.suffix)
	mc.around = len(mc.prefix) + len(mc.suffix)
	return mc
}

func mapText(tm *TextMap, s string) string {
	n, same := tm.Size(s)
	if same {
		return s
	}
	b := make([]byte, n)
	tm.Put(b, s)
	return string(b)
}

// eval evaluates the argument and accounts what its chain and the call
// would, then the build's operator at pos, built bytes being before it. It
// gives the text of dyn (or the call's whole result), the length of the
// call's result and the mode for put.
func (mc *mapCall) eval(th *Thread, f []Value, built int, pos *lang.Pos) (string, int, uint64, error) {
	v, err := mc.dyn(th, f)
	if err != nil {
		return "", 0, 0, err
	}
	if mc.ch != nil && !mc.head && !isText(v) { // numbers may add first
		if v, err = mc.whole(th, f, v); err != nil {
			return "", 0, 0, err
		}
		s := text(v)
		if err := th.Alloc(built + len(s)); err != nil {
			return "", 0, 0, budgetAt(pos, err)
		}
		return s, len(s), mapWhole, nil
	}
	s := text(v)
	size, same := mc.tm.Size(s)
	n := len(mc.mprefix) + size + len(mc.msuffix)
	if !mc.accountAll(th, len(s), n, built) {
		if err := mc.accountEach(th, s, n, built, pos); err != nil {
			return "", 0, 0, err
		}
	}
	if same {
		return s, n, 0, nil
	}
	return s, n, mapChanged, nil
}

// accountAll counts at once what accountEach counts when none of it could
// stop the run: the memory and the steps only grow, so when their totals
// stay within the budget and before the next checkpoint, so did each
// count's, one by one. ls is dyn's length, n the call's result's.
func (mc *mapCall) accountAll(th *Thread, ls, n, built int) bool {
	var mem, steps int
	for _, at := range mc.ats {
		mem += ls + at
		steps += (ls + at) >> workShift
	}
	steps += (mc.around + ls) >> workShift // the call's work
	mem += n + built + n                   // its result, the build's string
	steps += n>>workShift + (built+n)>>workShift
	if th.mem+int64(mem) > th.maxMem || th.steps+steps >= th.nextCheck {
		return false
	}
	th.mem += int64(mem)
	th.steps += steps
	return true
}

// accountEach counts in order, stopping where a budget trips: each
// operator of the argument's chain, the call's work and result, the
// build's operator at pos.
func (mc *mapCall) accountEach(th *Thread, s string, n, built int, pos *lang.Pos) error {
	var err error
	if mc.head {
		_, err = mc.ch.accountFrom(th, 0, len(mc.prefix), len(s))
	} else if mc.ch != nil {
		_, err = mc.ch.accountFrom(th, 0, len(s), -1)
	}
	if err != nil {
		return err
	}
	if err := th.Work(mc.around + len(s)); err != nil {
		return builtinError(mc.site, err)
	}
	if err := th.Alloc(n); err != nil {
		return builtinError(mc.site, err)
	}
	if err := th.Alloc(built + n); err != nil {
		return budgetAt(pos, err)
	}
	return nil
}

// whole is the call as the general code makes it, from the argument's
// first operand v on.
func (mc *mapCall) whole(th *Thread, f []Value, v Value) (Value, error) {
	v, err := mc.ch.from(th, f, v)
	if err != nil {
		return nil, err
	}
	base := th.push(1)
	th.stack[base] = v
	v, err = mc.fn(th, mc.site, th.stack[base:base+1:base+1])
	th.release(base)
	return result(mc.site, v, err)
}

// put writes the call's result, s being what eval gave with mode.
func (mc *mapCall) put(dst []byte, s string, mode uint64) int {
	if mode&mapWhole != 0 {
		return copy(dst, s)
	}
	off := 0
	if mc.mprefix != "" { // a copy calls memmove even for nothing
		off = copy(dst, mc.mprefix)
	}
	if mode&mapChanged != 0 {
		off += mc.tm.Put(dst[off:], s)
	} else {
		off += copy(dst[off:], s)
	}
	if mc.msuffix != "" {
		off += copy(dst[off:], mc.msuffix)
	}
	return off
}
