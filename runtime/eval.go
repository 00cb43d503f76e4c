package runtime

import (
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"

	"github.com/gbhook/gbhook/lang"
	"github.com/tidwall/gjson"
)

// The checked AST is compiled once, in New, into a tree of closures: each
// node's dispatch, constant and slot index are settled at load time, so a run
// only calls closures over its frame ([]Value indexed by the checker's slots).

// ctl is how a statement leaves: normally, or by EXIT or RETURN. Loops and
// calls consume the kinds that are theirs and pass the others up.
type ctl uint8

const (
	ctlNone ctl = iota
	ctlExitFor
	ctlExitWhile
	ctlExitDo
	ctlReturn
)

type (
	evalFn func(th *Thread, f []Value) (Value, error)
	execFn func(th *Thread, f []Value) (ctl, error)
)

// stmt is a compiled statement with the position its step is counted at.
type stmt struct {
	pos lang.Pos
	run execFn
}

type block []stmt

// exec runs the statements of a block, one step each, until one leaves.
func (b block) exec(th *Thread, f []Value) (ctl, error) {
	for i := range b {
		s := &b[i]
		if err := th.tick(&s.pos); err != nil {
			return ctlNone, err
		}
		if c, err := s.run(th, f); c != ctlNone || err != nil {
			return c, err
		}
	}
	return ctlNone, nil
}

// compiler turns handlers and procs into code; procs are compiled once each,
// on first reference, so recursion and forward calls just share a *code.
type compiler struct {
	m     *Machine
	procs map[*lang.Proc]*code
	todo  []*code
	plain bool       // one string per operator, as before concat.go (tests compare)
	mu    sync.Mutex // procFor is called from every compiling goroutine
}

func (m *Machine) compile() error { return m.compileWith(false) }

func (m *Machine) compileWith(plain bool) error {
	c := &compiler{m: m, procs: map[*lang.Proc]*code{}, plain: plain}
	m.handlers = map[*lang.Handler]*code{}
	m.subs = map[string]*code{}
	hs := append([]*lang.Handler(nil), m.prog.Handlers...)
	for _, file := range m.prog.Files {
		hs = append(hs, file.Handlers...)
	}
	old := m.reusable(plain)
	var bodies []body // each handler's and proc's, compiled in parallel
	for _, h := range hs {
		if oc := old.handlers[h]; oc != nil {
			m.handlers[h] = oc
			continue
		}
		if m.handlers[h] == nil {
			m.handlers[h] = &code{size: h.Frame.Size()}
			bodies = append(bodies, body{m.handlers[h], h.Body})
		}
	}
	if err := m.compileSchedules(c); err != nil {
		return err
	}
	for name, p := range m.prog.Procs {
		if oc := old.subs[name]; oc != nil && oc.proc == p {
			c.procs[p] = oc
		}
		m.subs[name] = c.procFor(p)
	}
	for len(c.todo) > 0 || len(bodies) > 0 {
		for _, pc := range c.todo {
			bodies = append(bodies, body{pc, pc.proc.Body})
		}
		c.todo = nil
		if err := c.compileBodies(bodies); err != nil {
			return err
		}
		bodies = nil
	}
	for p, pc := range c.procs {
		if m.subs[p.Name] == nil {
			m.subs[p.Name] = pc
		}
	}
	return nil
}

// body is a handler's or proc's code and the statements it compiles from.
type body struct {
	code  *code
	stmts []lang.Stmt
}

// compileBodies compiles bodies on every core: a reload compiles the whole
// program, and bodies share nothing but procFor. The error is the first
// body's in order.
func (c *compiler) compileBodies(bodies []body) error {
	errs := make([]error, len(bodies))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(bodies), goruntime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(bodies); i = int(next.Add(1)) - 1 {
				bodies[i].code.body, errs[i] = c.block(bodies[i].stmts)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// procFor gives the code of p, queueing its body for compilation.
func (c *compiler) procFor(p *lang.Proc) *code {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pc := c.procs[p]; pc != nil {
		return pc
	}
	pc := &code{size: max(p.Frame.Size(), len(p.Params)), proc: p}
	c.procs[p] = pc
	c.todo = append(c.todo, pc)
	return pc
}

func (c *compiler) block(stmts []lang.Stmt) (block, error) {
	b := make(block, 0, len(stmts))
	for i := 0; i < len(stmts); i++ {
		s := stmts[i]
		n, run, err := c.appendRunAt(stmts[i:]) // concat.go
		if err != nil {
			return nil, err
		}
		if n == 0 {
			if n, run, err = c.defaultAt(stmts[i:]); err != nil { // fast.go
				return nil, err
			}
		}
		if n > 0 {
			b = append(b, stmt{pos: s.Position(), run: run})
			i += n - 1
			continue
		}
		if run, err = c.stmt(s); err != nil {
			return nil, err
		}
		b = append(b, stmt{pos: s.Position(), run: run})
	}
	return b, nil
}

func (c *compiler) stmt(s lang.Stmt) (execFn, error) {
	switch s := s.(type) {
	case *lang.Assign:
		return c.assign(s)
	case *lang.If:
		return c.ifStmt(s)
	case *lang.For:
		return c.forStmt(s)
	case *lang.ForEach:
		return c.forEach(s)
	case *lang.While:
		return c.while(s)
	case *lang.Select:
		return c.selectStmt(s)
	case *lang.Exit:
		return exitStmt(s), nil
	case *lang.Return:
		return c.returnStmt(s)
	case *lang.CallStmt:
		call, err := c.call(s.Call)
		if err != nil {
			return nil, err
		}
		return func(th *Thread, f []Value) (ctl, error) {
			_, err := call.fn(th, f)
			return ctlNone, err
		}, nil
	case *lang.Spawn:
		return c.spawn(s)
	}
	return nil, fmt.Errorf("%s: runtime: unknown statement %T", s.Position(), s)
}

func (c *compiler) assign(s *lang.Assign) (execFn, error) {
	x, err := c.expr(s.X)
	if err != nil {
		return nil, err
	}
	slot, fn := s.Slot, x.fn
	return func(th *Thread, f []Value) (ctl, error) {
		v, err := fn(th, f)
		if err != nil {
			return ctlNone, err
		}
		f[slot] = v
		return ctlNone, nil
	}, nil
}

func (c *compiler) ifStmt(s *lang.If) (execFn, error) {
	conds := make([]evalFn, len(s.Conds))
	blocks := make([]block, len(s.Blocks))
	for i := range s.Conds {
		x, err := c.expr(s.Conds[i])
		if err != nil {
			return nil, err
		}
		if blocks[i], err = c.block(s.Blocks[i]); err != nil {
			return nil, err
		}
		conds[i] = x.fn
	}
	els, err := c.block(s.Else)
	if err != nil {
		return nil, err
	}
	if len(conds) == 1 { // IF ... THEN ... [ELSE ...], the commonest form
		cond, then := conds[0], blocks[0]
		if vc := varTextCondOf(s.Conds[0]); vc != nil && !c.plain {
			return ifVarText(vc, then, els), nil // fast.go
		}
		return func(th *Thread, f []Value) (ctl, error) {
			v, err := cond(th, f)
			if err != nil {
				return ctlNone, err
			}
			if Truthy(v) {
				return then.exec(th, f)
			}
			return els.exec(th, f)
		}, nil
	}
	return func(th *Thread, f []Value) (ctl, error) {
		for i, cond := range conds {
			v, err := cond(th, f)
			if err != nil {
				return ctlNone, err
			}
			if Truthy(v) {
				return blocks[i].exec(th, f)
			}
		}
		return els.exec(th, f)
	}, nil
}

func (c *compiler) forStmt(s *lang.For) (execFn, error) {
	var step cexpr = constant(Num(1))
	from, err := c.expr(s.From)
	if err != nil {
		return nil, err
	}
	to, err := c.expr(s.To)
	if err != nil {
		return nil, err
	}
	if s.Step != nil {
		if step, err = c.expr(s.Step); err != nil {
			return nil, err
		}
	}
	body, err := c.block(s.Body)
	if err != nil {
		return nil, err
	}
	l := &forLoop{pos: s.P, slot: s.Slot, from: from.fn, to: to.fn, step: step.fn, body: body}
	return l.run, nil
}

type forLoop struct {
	pos            lang.Pos
	slot           int
	from, to, step evalFn
	body           block
}

// run counts like classic BASIC: the variable is the counter (an assignment
// to it in the body moves the loop on) and ends past the limit.
func (l *forLoop) run(th *Thread, f []Value) (ctl, error) {
	var b [3]float64
	for k, fn := range [3]evalFn{l.from, l.to, l.step} {
		v, err := fn(th, f)
		if err != nil {
			return ctlNone, err
		}
		n, ok := ToNumber(v)
		if !ok {
			return ctlNone, errAt(l.pos, "FOR needs numbers, got "+Describe(v))
		}
		b[k] = n
	}
	i, to, step := b[0], b[1], b[2]
	if step == 0 {
		return ctlNone, errAt(l.pos, "FOR STEP is 0")
	}
	for ; (step > 0 && i <= to) || (step < 0 && i >= to); i += step {
		if err := th.tick(&l.pos); err != nil {
			return ctlNone, err
		}
		f[l.slot] = numV(i)
		c, err := l.body.exec(th, f)
		if err != nil || c == ctlExitFor {
			return ctlNone, err
		}
		if c != ctlNone {
			return c, nil
		}
		if n, ok := f[l.slot].(Num); ok {
			i = float64(n)
		}
	}
	f[l.slot] = numV(i)
	return ctlNone, nil
}

func (c *compiler) forEach(s *lang.ForEach) (execFn, error) {
	x, err := c.expr(s.X)
	if err != nil {
		return nil, err
	}
	body, err := c.block(s.Body)
	if err != nil {
		return nil, err
	}
	pos, slot, xf := s.P, s.Slot, x.fn
	return func(th *Thread, f []Value) (ctl, error) {
		v, err := xf(th, f)
		if err != nil {
			return ctlNone, err
		}
		if err := th.Work(textLen(v)); err != nil { // validating and walking
			return ctlNone, &Error{Pos: pos, Msg: err.Error(), Err: err}
		}
		src, ok, err := iterable(pos, v)
		if !ok || err != nil {
			return ctlNone, err
		}
		out := ctlNone
		src.ForEach(func(_, el gjson.Result) bool {
			if err = th.tick(&pos); err != nil {
				return false
			}
			f[slot] = FromGJSON(el)
			var c ctl
			if c, err = body.exec(th, f); err != nil || c == ctlExitFor {
				return false
			}
			out = c
			return c == ctlNone
		})
		return out, err
	}, nil
}

// iterable reads what FOR EACH walks: a JSON array or object, or a string
// holding one. "" (a missing value) walks nothing (ok false).
func iterable(p lang.Pos, v Value) (gjson.Result, bool, error) {
	var r gjson.Result
	switch x := v.(type) {
	case JSON:
		r = gjson.Parse(x.View()) // ParseBytes would copy the document
	case Str:
		if x == "" {
			return r, false, nil
		}
		if gjson.Valid(string(x)) {
			r = gjson.Parse(string(x))
		}
	}
	if !r.IsArray() && !r.IsObject() {
		return r, false, errAt(p, "FOR EACH needs a JSON array or object, got "+Describe(v))
	}
	return r, true, nil
}

func (c *compiler) while(s *lang.While) (execFn, error) {
	cond, err := c.expr(s.Cond)
	if err != nil {
		return nil, err
	}
	body, err := c.block(s.Body)
	if err != nil {
		return nil, err
	}
	mine := ctlExitWhile
	if s.Kind == lang.LoopDo {
		mine = ctlExitDo
	}
	pos, cf := s.P, cond.fn
	return func(th *Thread, f []Value) (ctl, error) {
		for {
			if err := th.tick(&pos); err != nil {
				return ctlNone, err
			}
			v, err := cf(th, f)
			if err != nil || !Truthy(v) {
				return ctlNone, err
			}
			c, err := body.exec(th, f)
			if err != nil || c == mine {
				return ctlNone, err
			}
			if c != ctlNone {
				return c, nil
			}
		}
	}, nil
}

type caseArm struct {
	values []evalFn
	body   block
}

func (c *compiler) selectStmt(s *lang.Select) (execFn, error) {
	x, err := c.expr(s.X)
	if err != nil {
		return nil, err
	}
	arms := make([]caseArm, len(s.Cases))
	for i, cs := range s.Cases {
		for _, ve := range cs.Values {
			v, err := c.expr(ve)
			if err != nil {
				return nil, err
			}
			arms[i].values = append(arms[i].values, v.fn)
		}
		if arms[i].body, err = c.block(cs.Body); err != nil {
			return nil, err
		}
	}
	els, err := c.block(s.Else)
	if err != nil {
		return nil, err
	}
	xf := x.fn
	return func(th *Thread, f []Value) (ctl, error) {
		v, err := xf(th, f)
		if err != nil {
			return ctlNone, err
		}
		for i := range arms {
			for _, vf := range arms[i].values {
				w, err := vf(th, f)
				if err != nil {
					return ctlNone, err
				}
				if equal(v, w) {
					return arms[i].body.exec(th, f)
				}
			}
		}
		return els.exec(th, f)
	}, nil
}

func exitStmt(s *lang.Exit) execFn {
	c := ctlExitFor
	switch s.Kind {
	case lang.ExitWhile:
		c = ctlExitWhile
	case lang.ExitDo:
		c = ctlExitDo
	}
	return func(*Thread, []Value) (ctl, error) { return c, nil }
}

// returnStmt leaves with ctlReturn; a value travels in th.ret to the call.
func (c *compiler) returnStmt(s *lang.Return) (execFn, error) {
	if s.X == nil {
		return func(*Thread, []Value) (ctl, error) { return ctlReturn, nil }, nil
	}
	x, err := c.expr(s.X)
	if err != nil {
		return nil, err
	}
	xf := x.fn
	return func(th *Thread, f []Value) (ctl, error) {
		v, err := xf(th, f)
		if err != nil {
			return ctlNone, err
		}
		th.ret = v
		return ctlReturn, nil
	}, nil
}

// spawn evaluates the arguments now, into a slice the Job owns.
func (c *compiler) spawn(s *lang.Spawn) (execFn, error) {
	if s.Call.Proc == nil {
		return nil, fmt.Errorf("%s: runtime: SPAWN of %s, which is not a SUB", s.P, s.Call.Name)
	}
	args, err := c.exprs(s.Call.Args)
	if err != nil {
		return nil, err
	}
	name, pos := s.Call.Proc.Name, s.P
	return func(th *Thread, f []Value) (ctl, error) {
		if max := th.machine.opts.MaxSpawns; len(th.spawned) >= max {
			return ctlNone, &Error{Pos: pos, Msg: fmt.Sprintf("SPAWN limit of %d jobs per run exceeded", max)}
		}
		vals := make([]Value, len(args))
		for i, a := range args {
			v, err := a(th, f)
			if err != nil {
				return ctlNone, err
			}
			vals[i] = v
		}
		th.spawned = append(th.spawned, Job{Sub: name, Args: vals, Pos: pos, RequestID: th.requestID})
		return ctlNone, nil
	}, nil
}
