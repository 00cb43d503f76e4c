package runtime

// A run is bounded in steps, time and memory. Statements and loop iterations
// count one step each (tick); builtins and operators whose cost grows with
// their input count it through Alloc and Work, so that one long string
// cannot outrun the budgets between two checkpoints.

// DefaultMaxMemory is the memory budget of a run when Options.MaxMemory is 0.
const DefaultMaxMemory = 64 << 20

// workShift makes one step of every 64 bytes a builtin reads or writes.
const workShift = 6

// Alloc accounts n bytes that the run is about to allocate (a builtin's
// result, a buffer's growth), and n/64 steps for writing them. Call it
// before allocating, with the size when known, so that the allocation that
// would pass the budget never happens. Past the memory or step budget, or
// after the deadline, it returns ErrMemoryBudget, ErrStepBudget or
// ErrDeadline (all 503); a builtin returns that error as is and the runtime
// positions it at the call. The common case is two adds and two compares.
// On a nil Thread (constant folding at load time) it accounts nothing.
func (th *Thread) Alloc(n int) error {
	if th == nil || n <= 0 {
		return nil
	}
	th.mem += int64(n)
	th.steps += n >> workShift
	if th.mem > th.maxMem || th.steps >= th.nextCheck {
		return th.budget()
	}
	return nil
}

// Work accounts n bytes that a builtin is about to read without keeping
// (a scan, a validation, a search) as n/64 steps, and looks at the step
// budget and the deadline when a checkpoint is due. Errors as for Alloc.
func (th *Thread) Work(n int) error {
	// Under 64 bytes there is no step to count, and no checkpoint can be
	// due: every step counted looks at the next one (tick, Alloc, Work).
	if n < 1<<workShift {
		return nil
	}
	return th.work(n)
}

// work is Work past 64 bytes; not inlined, so that Work inlines.
//
//go:noinline
func (th *Thread) work(n int) error {
	if th == nil {
		return nil
	}
	th.steps += n >> workShift
	if th.steps >= th.nextCheck {
		return th.budget()
	}
	return nil
}
