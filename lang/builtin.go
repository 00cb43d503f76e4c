package lang

// Builtin declares a builtin's name and arity for the checker. The host owns the
// table (package builtins) and passes it to Check, so lang never imports builtins.
// The zero value of every optional field means "none".
type Builtin struct {
	Name    string // upper-case words
	MinArgs int
	MaxArgs int  // Variadic: any number
	Stmt    bool // gives no value; only valid as a statement
	// PathArg is the 1-based position of a JSON-path argument, compiled at
	// check time when literal; 0 if there is none.
	PathArg int
	// Literal, if set, vets each literal argument at check time: i is the
	// argument's 0-based index, v its value (a string, or a float64 for a
	// number, negated ones included). A non-empty answer is a check error at
	// the argument. Hosts use the same rule at run time for computed values,
	// so a rule lives in one place.
	Literal func(i int, v any) string
	// Exchange marks a builtin that reads the HTTP request or writes the
	// response: using it directly in ON SCHEDULE, where there is neither, is a
	// check error.
	Exchange bool
}

// Variadic is the MaxArgs of a builtin that takes any number of arguments.
const Variadic = -1
