package lang

// Builtin declares a builtin's name and arity for the checker. The host owns the
// table (package builtins) and passes it to Check, so lang never imports builtins.
type Builtin struct {
	Name    string // upper-case words, e.g. "GET JSON PATH"
	MinArgs int
	MaxArgs int  // -1: any number
	Stmt    bool // gives no value; only valid as a statement
	// PathArg is the index of a JSON-path argument compiled at check time when literal; -1 if none.
	PathArg int
}

// Variadic is the MaxArgs of a builtin that takes any number of arguments.
const Variadic = -1
