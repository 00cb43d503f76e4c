// Package builtins implements the dialect's keywords, one family per file
// (request, json, strings, response, mail, whatsapp, llm, http, spawn). Table is the
// one declarative list: the checker reads its specs, the runtime its funcs.
package builtins

import (
	"log/slog"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// Def is one builtin: its spec for the checker and its implementation.
type Def struct {
	lang.Builtin
	Fn runtime.BuiltinFunc
	// Map, when set, declares the builtin a text mapping, Fn being
	// Map.Builtin(): string builds write its result in place.
	Map *runtime.TextMap
}

// Deps are the side-effect services the delivery builtins call. A nil service
// makes its builtin fail with a clear error rather than do nothing.
type Deps struct {
	Mailer   delivery.Mailer
	WhatsApp delivery.WhatsApp
	LLM      delivery.LLM
	HTTP     *delivery.HTTPClient // outbound GET, POST... (http.go)
	Logger   *slog.Logger
}

// Table is every builtin, in a fixed order.
func Table(d Deps) []Def {
	var all []Def
	all = append(all, exchangeAll(requestDefs())...)
	all = append(all, jsonDefs()...)
	all = append(all, jsonBuildDefs()...)
	all = append(all, stringDefs()...)
	all = append(all, responseDefs()...)
	all = append(all, mailDefs(d)...)
	all = append(all, whatsappDefs(d)...)
	all = append(all, llmDefs(d)...)
	all = append(all, httpDefs(d)...)
	return all
}

// Specs is the checker's view of Table.
func Specs() []lang.Builtin {
	defs := Table(Deps{})
	out := make([]lang.Builtin, len(defs))
	for i, d := range defs {
		out[i] = d.Builtin
	}
	return out
}

// registry hands the runtime its builtins, and their text mappings
// (runtime.TextMaps), by name.
type registry map[string]Def

func (r registry) Lookup(name string) (runtime.BuiltinFunc, bool) {
	d, ok := r[name]
	return d.Fn, ok
}

func (r registry) TextMap(name string) *runtime.TextMap { return r[name].Map }

// Registry is the runtime's view of Table.
func Registry(d Deps) runtime.Registry {
	r := registry{}
	for _, def := range Table(d) {
		r[def.Name] = def
	}
	return r
}

// spec is shorthand for a Builtin with only a name and an arity.
func spec(name string, minArgs, maxArgs int) lang.Builtin {
	return lang.Builtin{Name: name, MinArgs: minArgs, MaxArgs: maxArgs}
}

// withLiteral sets a builtin's check-time hook for literal arguments.
func withLiteral(b lang.Builtin, hook func(i int, v any) string) lang.Builtin {
	b.Literal = hook
	return b
}

// literal turns a check-time literal (string or float64) into the value the
// run would see, so a Literal hook can share the run's code.
func literal(v any) runtime.Value {
	if n, ok := v.(float64); ok {
		return runtime.Num(n)
	}
	s, _ := v.(string)
	return runtime.Str(s)
}

// stmt is shorthand for a statement builtin (gives no value).
func stmt(name string, minArgs, maxArgs int) lang.Builtin {
	b := spec(name, minArgs, maxArgs)
	b.Stmt = true
	return b
}

// exchange marks a builtin that needs the HTTP request or response: a check
// error directly inside ON SCHEDULE.
func exchange(b lang.Builtin) lang.Builtin {
	b.Exchange = true
	return b
}

func exchangeAll(defs []Def) []Def {
	for i := range defs {
		defs[i].Builtin = exchange(defs[i].Builtin)
	}
	return defs
}
