package runtime

// Per-run state of builtin families (e.g. the headers SET HEADER adds to
// outbound calls). It lives on the Thread, so it belongs to one handler, job or
// schedule run: CALLed SUBs share it, a SPAWNed SUB starts without any. The
// runtime does not know what is stored: keys are the families' own unexported
// types, as with context.Context values.

// Local is the value stored under key in this run, or nil.
func (th *Thread) Local(key any) any { return th.locals[key] }

// SetLocal stores v under key for the rest of this run.
func (th *Thread) SetLocal(key, v any) {
	if th.locals == nil {
		th.locals = map[any]any{}
	}
	th.locals[key] = v
}
