package runtime

// reusable is the machine whose compiled code New may take (Options.Reuse),
// or an empty one. Code is taken only for the very handlers and procs both
// programs share: checked ASTs are immutable, so the code compiled for one
// still fits it, and the procs its calls reach are the same procs. Its
// closures hold builtins by index into the program's table and the call
// depth limit, so those must match; the Machine keeps no reference to it.
func (m *Machine) reusable(plain bool) *Machine {
	old := m.opts.Reuse
	m.opts.Reuse = nil
	none := &Machine{}
	if old == nil || plain || old.opts.MaxDepth != m.opts.MaxDepth {
		return none
	}
	a, b := old.prog.Builtins, m.prog.Builtins
	if len(a) != len(b) || (len(a) > 0 && &a[0] != &b[0]) {
		return none // not the same table: builtin indexes may differ
	}
	return old
}
