package runtime

import "github.com/gbhook/gbhook/lang"

// Append runs: the statement-level half of string building (concat.go).

// appendRun is a run of statements building one variable: an assignment to
// slot, then statements slot = slot + .... It makes the string once, at
// the end, when the first value is text; otherwise each statement runs as
// compiled alone.
type appendRun struct {
	slot      int
	first     evalFn     // its expression
	firstText bool       // a text constant, already the start of ops[0]
	ops       []runOp    // the extending statements, their constants joined
	each      []execFn   // the same statements compiled alone
	poses     []lang.Pos // and their positions, where their steps count
}

// runOp is a part evaluated at run time (dyn), or a group of constant
// parts, joined at load time across statements, with the events they stand
// for in order: each statement's step and each operator's accounting, so
// that budgets trip where and when they would one operator at a time.
type runOp struct {
	dyn    *catPart
	mc     *mapCall // dyn, a text mapping written into the result (textmap.go)
	text   string
	events []runEvent
	// The events summed up, for counting them at once (allEvents): the
	// ticks, the operators, the sum of their ats and of their ats' steps
	// (at >> workShift), and carries[r], how many of them take one step
	// more once r = n % 64 bytes are built before the group.
	ticks, nats  int
	sumAt, steps int
	carries      *[1 << workShift]int32
}

type runEvent struct {
	pos  lang.Pos
	tick bool // a statement's step; else an operator's memory
	at   int  // the group's text length once the operator's part is added
}

// runOps compiles the extending statements' parts into runOps.
func runOps(first cexpr, stmts [][]catPart, poses []lang.Pos) ([]runOp, bool) {
	var ops []runOp
	group := func() *runOp {
		if len(ops) == 0 || ops[len(ops)-1].dyn != nil {
			ops = append(ops, runOp{})
		}
		return &ops[len(ops)-1]
	}
	firstText := first.konst != nil && isText(first.konst)
	if firstText {
		group().text = text(first.konst)
	}
	for i, parts := range stmts {
		g := group()
		g.events = append(g.events, runEvent{pos: poses[i], tick: true})
		for j := range parts {
			p := &parts[j]
			if p.konst == nil {
				ops = append(ops, runOp{dyn: p})
				continue
			}
			g := group()
			if p.joins == nil {
				g.events = append(g.events, runEvent{pos: p.pos, at: len(g.text) + len(p.text)})
			}
			for _, j := range p.joins {
				g.events = append(g.events, runEvent{pos: j.pos, at: len(g.text) + j.at})
			}
			g.text += p.text
		}
	}
	for i := range ops {
		ops[i].sum()
	}
	return ops, firstText
}

// sum sums op's events up for allEvents. With n = q<<workShift + r built
// before the group, an operator's Alloc counts (n+at)>>workShift steps:
// q + at>>workShift, and one more when r + at%64 carries past 64.
func (op *runOp) sum() {
	const mask = 1<<workShift - 1
	var carries [1 << workShift]int32
	for _, e := range op.events {
		if e.tick {
			op.ticks++
			continue
		}
		op.nats++
		op.sumAt += e.at
		op.steps += e.at >> workShift
		for r := 1<<workShift - e.at&mask; r <= mask; r++ {
			carries[r]++
		}
	}
	if op.nats > 0 {
		op.carries = &carries
	}
}

// appendRunAt gives the run of statements starting at stmts[0] that extend
// the variable it assigns (0 or 1 when there is none), with its code.
func (c *compiler) appendRunAt(stmts []lang.Stmt) (int, execFn, error) {
	a, ok := stmts[0].(*lang.Assign)
	if !ok || c.plain {
		return 0, nil, nil
	}
	n := 1
	for n < len(stmts) && extends(stmts[n], a.Slot) {
		n++
	}
	if n == 1 {
		return 0, nil, nil
	}
	r := &appendRun{slot: a.Slot}
	x, err := c.expr(a.X)
	if err != nil {
		return 0, nil, err
	}
	r.first = x.fn
	var adds [][]catPart
	for _, s := range stmts[1:n] {
		as := s.(*lang.Assign)
		_, ops := catChainOf(as.X.(*lang.Binary))
		parts, err := c.catParts(ops)
		if err != nil {
			return 0, nil, err
		}
		each, err := c.assign(as)
		if err != nil {
			return 0, nil, err
		}
		adds = append(adds, parts)
		r.each = append(r.each, each)
		r.poses = append(r.poses, as.P)
	}
	r.ops, r.firstText = runOps(x, adds, r.poses)
	for i := range r.ops[:min(len(r.ops), maxMapOps)] {
		if op := &r.ops[i]; op.dyn != nil {
			if op.mc, err = c.mapCallOf(op.dyn.x); err != nil {
				return 0, nil, err
			}
		}
	}
	return n, r.run, nil
}

// extends reports whether s is slot = slot + ... (or &) where nothing after
// the first operand reads slot.
func extends(s lang.Stmt, slot int) bool {
	a, ok := s.(*lang.Assign)
	if !ok || a.Slot != slot {
		return false
	}
	b, ok := a.X.(*lang.Binary)
	if !ok || (b.Op != lang.OpAdd && b.Op != lang.OpCat) {
		return false
	}
	first, ops := catChainOf(b)
	if v, ok := first.(*lang.VarRef); !ok || v.Slot != slot {
		return false
	}
	for _, o := range ops {
		if reads(o.R, slot) {
			return false
		}
	}
	return true
}

// reads reports whether e may read slot (an unknown node may).
func reads(e lang.Expr, slot int) bool {
	switch e := e.(type) {
	case *lang.StrLit, *lang.NumLit:
		return false
	case *lang.VarRef:
		return e.Slot == slot
	case *lang.Unary:
		return reads(e.X, slot)
	case *lang.Binary:
		return reads(e.L, slot) || reads(e.R, slot)
	case *lang.CallExpr:
		for _, a := range e.Args {
			if reads(a, slot) {
				return true
			}
		}
		return false
	}
	return true
}

// run builds the variable in two passes: the first evaluates and accounts
// the parts in order, keeping the texts of the dynamic ones on th.texts;
// the second, the total length known, copies every text once into the
// result.
func (r *appendRun) run(th *Thread, f []Value) (ctl, error) {
	v, err := r.first(th, f)
	if err != nil {
		return ctlNone, err
	}
	if !isText(v) {
		f[r.slot] = v
		return r.runEach(th, f, 0)
	}
	base, n := len(th.texts), 0
	if !r.firstText {
		s := text(v)
		th.pushText(s)
		n = len(s)
	}
	ops := r.ops
	var modes uint64 // the mapCalls' modes, mapBits an op
	for i := range ops {
		op := &ops[i]
		if op.dyn == nil { // constants: their events at once when none can trip
			if !op.allEvents(th, n) {
				if err = op.eachEvent(th, n); err != nil {
					break
				}
			}
			n += len(op.text)
			continue
		}
		var mode uint64
		if n, mode, err = op.account(th, f, n); err != nil {
			break
		}
		modes |= mode << (i * mapBits)
	}
	if err != nil {
		th.dropTexts(base)
		return ctlNone, err
	}
	v, buf := newStr(n)
	off, k := 0, base
	if !r.firstText {
		off += copy(buf, th.texts[k])
		k++
	}
	for i := range ops {
		op := &ops[i]
		switch {
		case op.dyn == nil:
			off += copy(buf[off:], op.text)
			continue
		case op.mc != nil:
			off += op.mc.put(buf[off:], th.texts[k], modes>>(i*mapBits))
		default:
			off += copy(buf[off:], th.texts[k])
		}
		k++
	}
	th.dropTexts(base)
	f[r.slot] = v
	return ctlNone, nil
}

// account evaluates a dynamic op, whose text goes on th.texts, and counts
// its operator, n bytes being built before it. It gives the length built
// once op is added, and a mapCall's mode.
func (op *runOp) account(th *Thread, f []Value, n int) (int, uint64, error) {
	p := op.dyn
	if op.mc != nil { // it accounts the operator too
		s, size, mode, err := op.mc.eval(th, f, n, &p.pos)
		if err != nil {
			return n, 0, err
		}
		th.pushText(s)
		return n + size, mode, nil
	}
	v, err := p.fn(th, f)
	if err != nil {
		return n, 0, err
	}
	s := text(v)
	if err := th.Alloc(n + len(s)); err != nil {
		return n, 0, budgetAt(&p.pos, err)
	}
	th.pushText(s)
	return n + len(s), 0, nil
}

// pushText keeps s on th.texts; while the array has room, only the length
// of the slice is written (no write barrier for its header).
func (th *Thread) pushText(s string) {
	n := len(th.texts)
	if n == cap(th.texts) {
		th.texts = append(th.texts, s)
		return
	}
	th.texts = th.texts[:n+1]
	th.texts[n] = s
}

// dropTexts pops th.texts back to base, clearing what it drops so that no
// text outlives its use through the Thread.
func (th *Thread) dropTexts(base int) {
	// Not clear, nor a range loop the compiler turns into one: a build
	// drops a few texts, and clearing strings calls the bulk barrier.
	for i := len(th.texts) - 1; i >= base; i-- {
		th.texts[i] = ""
	}
	th.texts = th.texts[:base]
}

// allEvents counts the group's events at once when none of them could stop
// the run: the memory and the steps only grow, so when their totals stay
// within the budget and before the next checkpoint, so did every event's,
// one by one (eachEvent), which would have counted the same. n is the
// length built before the group.
func (op *runOp) allEvents(th *Thread, n int) bool {
	mem, steps := int64(op.nats*n+op.sumAt), op.ticks
	if op.nats > 0 { // the steps Alloc counts for each, (n+at)>>workShift, summed
		steps += op.nats*(n>>workShift) + op.steps + int(op.carries[n&(1<<workShift-1)])
	}
	if th.mem+mem > th.maxMem || th.steps+steps >= th.nextCheck {
		return false
	}
	th.mem += mem
	th.steps += steps
	return true
}

// eachEvent counts the group's events one by one, in order, stopping at
// the one that trips a budget, where it trips.
func (op *runOp) eachEvent(th *Thread, n int) error {
	for i := range op.events {
		e := &op.events[i]
		if e.tick {
			if err := th.tick(&e.pos); err != nil {
				return err
			}
		} else if err := th.Alloc(n + e.at); err != nil {
			return budgetAt(&e.pos, err)
		}
	}
	return nil
}

// runEach runs the extending statements from i on, one by one.
func (r *appendRun) runEach(th *Thread, f []Value, i int) (ctl, error) {
	for ; i < len(r.each); i++ {
		if err := th.tick(&r.poses[i]); err != nil {
			return ctlNone, err
		}
		if _, err := r.each[i](th, f); err != nil {
			return ctlNone, err
		}
	}
	return ctlNone, nil
}
