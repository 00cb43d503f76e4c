package lang

import (
	"sort"
	"strings"
)

// checker resolves names, arity, routes, JSON paths and variable slots over a
// whole directory, collecting every problem instead of stopping at the first.
type checker struct {
	errs     ErrorList
	table    []Builtin
	builtins map[string]int
	procs    map[string]*Proc
	names    []string // every call name, for hints
	// unparsed names SUBs and FUNCTIONs of files that failed to parse: calls
	// to them are not reported, since that file's own error is the one to fix.
	unparsed map[string]bool
	// calls names the SUBs and FUNCTIONs the checked calls reach.
	calls []string

	// per handler, SUB or FUNCTION
	block *blockScope
}

// blockScope is the variable scope of one handler, SUB or FUNCTION.
type blockScope struct {
	label  string
	kind   string // "ON", "SUB" or "FUNCTION"
	frame  *Frame
	slots  map[string]int
	loops  []ExitKind
	varSet []string
}

func (c *checker) errorf(p Pos, msg string) { c.errs = append(c.errs, &Error{Pos: p, Msg: msg}) }

// checkProgram runs the checker over parsed files. Files in kept were
// checked by an earlier load and are not written to (Loader): their routes
// still count for duplicates, their bodies are not checked again. calls
// gives, for each file, the SUBs and FUNCTIONs its checked calls reach.
func checkProgram(files []*File, table []Builtin, unparsed map[string]bool, kept map[*File]bool) (prog *Program, calls [][]string, errs ErrorList) {
	c := &checker{table: table, builtins: map[string]int{}, procs: map[string]*Proc{}, unparsed: unparsed}
	for i, b := range table {
		c.builtins[b.Name] = i
		c.names = append(c.names, b.Name)
	}
	prog = &Program{Files: files, Procs: c.procs, Builtins: table}
	c.collectProcs(files)
	prog.Handlers = c.collectRoutes(files, kept)
	prog.Schedules = c.checkSchedules(files)
	calls = c.checkBlocks(files, kept)
	return prog, calls, c.errs
}

// checkBlocks checks every handler, SUB and FUNCTION body, in parallel: each
// writes only its own AST and scope. Their problems are kept in file order,
// as one checker going through them would report them.
func (c *checker) checkBlocks(files []*File, kept map[*File]bool) [][]string {
	type unit struct {
		file  int
		check func(c *checker)
	}
	var units []unit
	for i, f := range files {
		if kept[f] {
			continue
		}
		for _, h := range f.Handlers {
			units = append(units, unit{i, func(c *checker) {
				c.checkBlock("ON", "ON WEBHOOK "+h.Method+" "+h.Path, nil, nil, &h.Frame, h.Body)
			}})
		}
		for _, p := range f.Procs {
			units = append(units, unit{i, func(c *checker) {
				c.checkBlock(p.Kind.String(), p.Kind.String()+" "+p.Name, p.Params, p.paramPos, &p.Frame, p.Body)
			}})
		}
	}
	done := make([]*checker, len(units))
	parallel(len(units), func(i int) {
		done[i] = &checker{table: c.table, builtins: c.builtins, procs: c.procs, names: c.names, unparsed: c.unparsed}
		units[i].check(done[i])
	})
	calls := make([][]string, len(files))
	for i, one := range done {
		c.errs = append(c.errs, one.errs...)
		calls[units[i].file] = append(calls[units[i].file], one.calls...)
	}
	return calls
}

func (c *checker) collectProcs(files []*File) {
	for _, f := range files {
		for _, p := range f.Procs {
			if _, ok := c.builtins[p.Name]; ok {
				c.errorf(p.P, p.Kind.String()+" "+p.Name+" has the name of a builtin")
				continue
			}
			if prev, ok := c.procs[p.Name]; ok {
				c.errorf(p.P, "duplicate "+p.Kind.String()+" "+p.Name+" (first defined at "+prev.P.String()+")")
				continue
			}
			seen := map[string]bool{}
			for i, name := range p.Params {
				if seen[name] {
					c.errorf(p.paramPos[i], "duplicate parameter "+name)
				}
				seen[name] = true
			}
			c.procs[p.Name] = p
			c.names = append(c.names, p.Name)
		}
	}
	sort.Strings(c.names)
}

// checkBlock assigns slots (parameters first, then every assigned name in order
// of appearance) and checks the statements.
func (c *checker) checkBlock(kind, label string, params []string, paramPos []Pos, frame *Frame, body []Stmt) {
	b := &blockScope{label: label, kind: kind, frame: frame, slots: map[string]int{}}
	c.block = b
	for _, p := range params {
		b.define(p)
	}
	collectAssigned(body, b)
	for name := range b.slots {
		b.varSet = append(b.varSet, name)
	}
	sort.Strings(b.varSet)
	c.stmts(body)
	c.block = nil
}

func (b *blockScope) define(name string) int {
	if s, ok := b.slots[name]; ok {
		return s
	}
	s := len(b.frame.Names)
	b.slots[name] = s
	b.frame.Names = append(b.frame.Names, name)
	return s
}

// collectAssigned gives a slot to every variable a statement of the block assigns.
func collectAssigned(list []Stmt, b *blockScope) {
	for _, s := range list {
		switch s := s.(type) {
		case *Assign:
			s.Slot = b.define(s.Name)
		case *For:
			s.Slot = b.define(s.Var)
			collectAssigned(s.Body, b)
		case *ForEach:
			s.Slot = b.define(s.Var)
			collectAssigned(s.Body, b)
		case *If:
			for _, blk := range s.Blocks {
				collectAssigned(blk, b)
			}
			collectAssigned(s.Else, b)
		case *While:
			collectAssigned(s.Body, b)
		case *Select:
			for _, cs := range s.Cases {
				collectAssigned(cs.Body, b)
			}
			collectAssigned(s.Else, b)
		}
	}
}

func (c *checker) stmts(list []Stmt) {
	for _, s := range list {
		c.stmt(s)
	}
}

func (c *checker) stmt(s Stmt) {
	b := c.block
	switch s := s.(type) {
	case *Assign:
		c.expr(s.X)
	case *If:
		for i, cond := range s.Conds {
			c.expr(cond)
			c.stmts(s.Blocks[i])
		}
		c.stmts(s.Else)
	case *For:
		c.expr(s.From)
		c.expr(s.To)
		if s.Step != nil {
			c.expr(s.Step)
		}
		c.loop(ExitFor, s.Body)
	case *ForEach:
		c.expr(s.X)
		c.loop(ExitFor, s.Body)
	case *While:
		c.expr(s.Cond)
		c.loop(map[LoopKind]ExitKind{LoopWhile: ExitWhile, LoopDo: ExitDo}[s.Kind], s.Body)
	case *Select:
		c.expr(s.X)
		for _, cs := range s.Cases {
			for _, v := range cs.Values {
				c.expr(v)
			}
			c.stmts(cs.Body)
		}
		c.stmts(s.Else)
	case *Exit:
		c.exit(s)
	case *Return:
		if s.X != nil {
			if b.kind != "FUNCTION" {
				c.errorf(s.P, "RETURN with a value outside a FUNCTION")
			}
			c.expr(s.X)
		}
	case *CallStmt:
		c.call(s.Call, true)
	case *Spawn:
		c.spawn(s)
	}
}

func (c *checker) loop(kind ExitKind, body []Stmt) {
	c.block.loops = append(c.block.loops, kind)
	c.stmts(body)
	c.block.loops = c.block.loops[:len(c.block.loops)-1]
}

var exitNames = map[ExitKind]string{ExitFor: "FOR", ExitWhile: "WHILE", ExitDo: "DO"}

func (c *checker) exit(s *Exit) {
	for _, k := range c.block.loops {
		if k == s.Kind {
			return
		}
	}
	c.errorf(s.P, "EXIT "+exitNames[s.Kind]+" outside a "+exitNames[s.Kind]+" loop")
}

func (c *checker) spawn(s *Spawn) {
	call := s.Call
	if !c.call(call, true) {
		return
	}
	if call.Proc == nil || call.Proc.Kind != KindSub {
		what := "a builtin"
		if call.Proc != nil {
			what = "a FUNCTION"
		}
		c.errorf(call.P, "SPAWN needs a SUB; "+call.Name+" is "+what)
	}
}

func (c *checker) expr(e Expr) {
	switch e := e.(type) {
	case *VarRef:
		c.varRef(e)
	case *Unary:
		c.expr(e.X)
	case *Binary:
		c.expr(e.L)
		c.expr(e.R)
	case *CallExpr:
		c.call(e, false)
	}
}

func (c *checker) varRef(v *VarRef) {
	b := c.block
	if s, ok := b.slots[v.Name]; ok {
		v.Slot = s
		return
	}
	cands := append(append([]string{}, b.varSet...), c.names...)
	c.errorf(v.P, "variable "+v.Name+" is never assigned in "+b.label+hint(v.Name, cands))
}

// unknownName reports a call nothing defines, hinting at the closest name with
// the same number of leading words.
func (c *checker) unknownName(call *CallExpr) {
	name := strings.Join(call.words, " ")
	for k := len(call.words); k >= 1; k-- {
		prefix := strings.Join(call.words[:k], " ")
		var same []string
		for _, n := range c.names {
			if len(strings.Fields(n)) == k {
				same = append(same, n)
			}
		}
		if s := suggest(prefix, same); s != "" {
			c.errorf(call.P, "unknown name "+quote(prefix)+" (did you mean "+quote(s)+"?)")
			return
		}
	}
	c.errorf(call.P, "unknown name "+quote(name))
}
