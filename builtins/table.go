// Package builtins implements the dialect's keywords, one family per file
// (request, json, strings, response, mail, whatsapp, llm, spawn). Table is the
// one declarative list: the checker reads its specs, the runtime its funcs.
package builtins

import (
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// Def is one builtin: its spec for the checker and its implementation.
type Def struct {
	lang.Builtin
	Fn runtime.BuiltinFunc
}

// spec is shorthand for a Builtin with no JSON path argument.
func spec(name string, minArgs, maxArgs int) lang.Builtin {
	return lang.Builtin{Name: name, MinArgs: minArgs, MaxArgs: maxArgs, PathArg: -1}
}

// stmt is shorthand for a statement builtin (gives no value).
func stmt(name string, minArgs, maxArgs int) lang.Builtin {
	b := spec(name, minArgs, maxArgs)
	b.Stmt = true
	return b
}
