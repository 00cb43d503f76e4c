package runtime

import "github.com/gbhook/gbhook/lang"

// String building without the copies. A chain a + b + c & d is compiled as
// one operation that collects the operands' texts and allocates the result
// once, instead of one string per operator; adjacent constants in it are
// joined at load time. A run of statements that extend one variable
// (S = S + ..., the usual way of building TwiML or HTML) is compiled the same
// way: the pieces of all the statements are collected and S is made once,
// the constants of consecutive statements joined at load time. Texts made
// at run time wait on the Thread's texts stack (builds nest: an operand may
// build its own string); constants stay in the code; each byte is copied
// once, into the result.
//
// Nothing observable changes: operands are evaluated in the same order, each
// statement still counts its step at its place, and each operator accounts
// the memory it would have allocated (Alloc with the length of its result),
// so budgets trip at the same operator as they did with one string per
// operator. Arithmetic (1 + 2 + "x" is "3x") is done as before until the
// left side is text; from there on, + and & both concatenate.

// catPart is one operand after the first, with the operator before it. A
// constant's text is made at load time.
type catPart struct {
	op    lang.Op // OpAdd or OpCat
	pos   lang.Pos
	fn    evalFn
	konst Value
	text  string    // konst's text, when konst is set
	x     lang.Expr // the operand
	mc    *mapCall  // the operand, a text mapping build writes in place
	// joins are the operators of constants joined into this one at load
	// time, its own first, each with the text's length once its constant
	// is added: each still accounts the string it would have made.
	joins []joinedOp
}

type joinedOp struct {
	pos lang.Pos
	at  int
}

// text is v's text: JSON's bytes are viewed, not copied (JSON is never
// written once made), numbers and booleans formatted.
func text(v Value) string {
	switch x := v.(type) {
	case Str:
		return string(x)
	case JSON:
		return x.View()
	}
	return v.String()
}

// accountPart accounts the string each operator p stands for would have
// made, n bytes being built before p and p's text size bytes long, before
// anything is copied.
func accountPart(th *Thread, p *catPart, n, size int) error {
	if p.joins == nil {
		if err := th.Alloc(n + size); err != nil {
			return budgetAt(&p.pos, err)
		}
		return nil
	}
	for i := range p.joins {
		j := &p.joins[i]
		if err := th.Alloc(n + j.at); err != nil {
			return budgetAt(&j.pos, err)
		}
	}
	return nil
}

// catChainOf flattens a left-nested chain of + and &: the first operand and
// the rest in order. Parenthesised right operands stay single operands.
func catChainOf(e *lang.Binary) (lang.Expr, []*lang.Binary) {
	var ops []*lang.Binary
	var x lang.Expr = e
	for {
		b, ok := x.(*lang.Binary)
		if !ok || (b.Op != lang.OpAdd && b.Op != lang.OpCat) {
			break
		}
		ops = append(ops, b)
		x = b.L
	}
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	return x, ops
}

// catParts compiles the operands after the first, joining a text constant
// with the constants after it (k + "a" + 1 + x is k + "a1" + x, whatever k
// is: after a text operand everything concatenates).
func (c *compiler) catParts(ops []*lang.Binary) ([]catPart, error) {
	parts := make([]catPart, 0, len(ops))
	for _, b := range ops {
		x, err := c.expr(b.R)
		if err != nil {
			return nil, err
		}
		if n := len(parts); n > 0 && x.konst != nil && parts[n-1].konst != nil && isText(parts[n-1].konst) {
			last := &parts[n-1]
			if v, err := concat(nil, &b.P, last.konst, x.konst); err == nil {
				if last.joins == nil {
					last.joins = []joinedOp{{pos: last.pos, at: len(last.text)}}
				}
				last.konst, last.fn, last.text = v, constant(v).fn, text(v)
				last.joins = append(last.joins, joinedOp{pos: b.P, at: len(last.text)})
				continue
			}
		}
		p := catPart{op: b.Op, pos: b.P, fn: x.fn, konst: x.konst, x: b.R}
		if x.konst != nil {
			p.text = text(x.konst)
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// catChain compiles a + / & chain (e is its outermost operator).
func (c *compiler) catChain(e *lang.Binary) (cexpr, error) {
	firstE, ops := catChainOf(e)
	first, err := c.expr(firstE)
	if err != nil {
		return cexpr{}, err
	}
	parts, err := c.catParts(ops)
	if err != nil {
		return cexpr{}, err
	}
	// Constants at the front fold as the operators would: 1 + 2 + "x".
	for len(parts) > 0 && first.konst != nil && parts[0].konst != nil {
		v, err := applyCat(nil, &parts[0], first.konst, parts[0].konst)
		if err != nil {
			break
		}
		first, parts = constant(v), parts[1:]
	}
	if len(parts) == 0 {
		return first, nil
	}
	ch := newCatChain(first.fn, parts)
	if mapped, err := c.mapParts(parts); mapped || err != nil {
		return cexpr{fn: ch.eval}, err // build writes the mapped calls in place
	}
	if first.konst != nil && isText(first.konst) && ch.constFrom == 1 {
		h := &catHead{catChain: ch, text: text(first.konst)}
		return cexpr{fn: h.eval}, nil
	}
	tail := &catTail{catChain: ch}
	for _, p := range parts {
		if p.konst == nil {
			return cexpr{fn: ch.eval}, nil
		}
		tail.text += p.text
	}
	return cexpr{fn: tail.eval}, nil
}

// catTail is a chain whose operands after the first are all constants, as
// in X$ + "/path": when the first is text, the result's length is known at
// once, and the result is made directly, without collecting texts.
type catTail struct {
	*catChain
	text string // the constants' texts, joined
}

func (t *catTail) eval(th *Thread, f []Value) (Value, error) {
	acc, err := t.first(th, f)
	if err != nil {
		return nil, err
	}
	if !isText(acc) {
		return t.from(th, f, acc) // numbers may add first
	}
	s := text(acc)
	n := len(s)
	for i := range t.parts {
		p := &t.parts[i]
		if err := accountPart(th, p, n, len(p.text)); err != nil {
			return nil, err
		}
		n += len(p.text)
	}
	v, buf := newStr(n)
	copy(buf[copy(buf, s):], t.text)
	return v, nil
}

func newCatChain(first evalFn, parts []catPart) *catChain {
	ch := &catChain{first: first, parts: parts, constFrom: len(parts)}
	for ch.constFrom > 0 && parts[ch.constFrom-1].konst != nil {
		ch.constFrom--
		ch.suffix = parts[ch.constFrom].text + ch.suffix
	}
	return ch
}

// catHead is a chain of a text constant, one operand known at run time
// only, and constants, as in "https://...?Email=" + X$: from builds it
// at its first part at once (the text starts at the constant), so eval
// goes there directly.
type catHead struct {
	*catChain
	text string // the first constant's
}

func (h *catHead) eval(th *Thread, f []Value) (Value, error) {
	v, err := h.parts[0].fn(th, f)
	if err != nil {
		return nil, err
	}
	return h.buildTail(th, 0, h.text, text(v))
}

// applyCat is one operator of a chain, as binary would apply it.
func applyCat(th *Thread, p *catPart, a, b Value) (Value, error) {
	if p.op == lang.OpCat {
		return concat(th, &p.pos, a, b)
	}
	return opAdd(th, &p.pos, a, b)
}

type catChain struct {
	first evalFn
	parts []catPart
	// constFrom is the index of the first of the constant parts that end
	// the chain (len(parts) when the last is not one), suffix their texts.
	constFrom int
	suffix    string
}

func (ch *catChain) eval(th *Thread, f []Value) (Value, error) {
	acc, err := ch.first(th, f)
	if err != nil {
		return nil, err
	}
	return ch.from(th, f, acc)
}

// from evaluates the chain from its first operand's value acc on: numbers
// add while neither side is text; once one is, build makes the string.
func (ch *catChain) from(th *Thread, f []Value, acc Value) (Value, error) {
	for i := range ch.parts {
		p := &ch.parts[i]
		if p.mc != nil { // its result is text: the build starts here
			return ch.build(th, f, i, text(acc), "")
		}
		v, err := p.fn(th, f)
		if err != nil {
			return nil, err
		}
		if p.op == lang.OpCat || isText(acc) || isText(v) {
			return ch.build(th, f, i, text(acc), text(v))
		}
		if acc, err = opAdd(th, &p.pos, acc, v); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// build makes the chain's string from part i on, left being the text before
// it and s its own (unless part i is a mapped call, evaluated here). Parts
// are evaluated and accounted in order, the texts made at run time kept on
// th.texts; then, the length known, each text is copied once into the
// result, a mapped call's mapped as it is copied.
func (ch *catChain) build(th *Thread, f []Value, i int, left, s string) (Value, error) {
	if i+1 == ch.constFrom && ch.parts[i].mc == nil { // part i is the last not constant
		return ch.buildTail(th, i, left, s)
	}
	base := len(th.texts)
	th.pushText(left)
	n := len(left)
	var modes uint64 // the mapped calls' modes, mapBits a part
	var err error
	for j := i; j < len(ch.parts) && err == nil; j++ {
		p := &ch.parts[j]
		switch {
		case p.mc != nil:
			var size int
			var mode uint64
			if s, size, mode, err = p.mc.eval(th, f, n, &p.pos); err == nil {
				th.pushText(s)
				n += size
				modes |= mode << (j * mapBits)
			}
			continue
		case p.konst != nil:
			s = p.text
		case j != i:
			var v Value
			if v, err = p.fn(th, f); err != nil {
				continue
			}
			s = text(v)
			th.pushText(s)
		default: // part i's s, given
			th.pushText(s)
		}
		err = accountPart(th, p, n, len(s))
		n += len(s)
	}
	if err != nil {
		th.dropTexts(base)
		return nil, err
	}
	v, buf := newStr(n)
	off := copy(buf, th.texts[base])
	k := base + 1
	for j := i; j < len(ch.parts); j++ {
		switch p := &ch.parts[j]; {
		case p.konst != nil:
			off += copy(buf[off:], p.text)
			continue
		case p.mc != nil:
			off += p.mc.put(buf[off:], th.texts[k], modes>>(j*mapBits))
		default:
			off += copy(buf[off:], th.texts[k])
		}
		k++
	}
	th.dropTexts(base)
	return v, nil
}

// buildTail is build when every part after i is a constant (prefix +
// X$, X$ + suffix): the length is known once part i is, so nothing waits
// on th.texts.
func (ch *catChain) buildTail(th *Thread, i int, left, s string) (Value, error) {
	n, err := ch.accountFrom(th, i, len(left), len(s))
	if err != nil {
		return nil, err
	}
	v, buf := newStr(n)
	off := copy(buf, left)
	off += copy(buf[off:], s)
	copy(buf[off:], ch.suffix)
	return v, nil
}

// accountFrom accounts the operators of parts i on, n bytes being built
// before part i, whose text is size bytes long (its constant's when size
// is negative), the parts after it constants. It gives the length built.
func (ch *catChain) accountFrom(th *Thread, i, n, size int) (int, error) {
	for j := i; j < len(ch.parts); j++ {
		p := &ch.parts[j]
		if j != i || size < 0 {
			size = len(p.text)
		}
		if err := accountPart(th, p, n, size); err != nil {
			return n, err
		}
		n += size
	}
	return n, nil
}
