package builtins

import (
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/secret"
)

// responseDefs write the buffered response and the log, and read the environment.
func responseDefs() []Def {
	return []Def{
		{Builtin: exchange(stmt(lang.StmtPrint, 0, lang.Variadic)), Fn: fnPrint},
		{Builtin: stmt(lang.StmtLog, 1, 1), Fn: fnLog},
		{Builtin: exchange(stmt(lang.StmtSetHeader, 2, 2)), Fn: fnSetHeader},
		{Builtin: exchange(withLiteral(stmt(lang.StmtSetStatus, 1, 1), statusLiteral)), Fn: fnSetStatus},
		{Builtin: withLiteral(spec("GET ENV", 1, 1), envLiteral), Fn: fnGetEnv},
	}
}

// response fails in a spawned SUB: its response was sent before it ran.
func response(th *runtime.Thread, site *lang.CallExpr) error {
	if th.Request() == nil {
		return errors.New(site.Name + ": there is no response here (a spawned SUB runs after the response)")
	}
	return nil
}

func fnPrint(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if err := response(th, site); err != nil {
		return nil, err
	}
	for _, a := range args {
		if err := th.Write(a.String()); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// fnLog writes one structured line carrying file:line and the request id.
// The handler buffers the line: its size counts against the memory budget.
func fnLog(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	msg := args[0].String()
	if err := th.Alloc(len(msg)); err != nil {
		return nil, err
	}
	th.Log(slog.LevelInfo, msg, slog.String("at", site.P.Short()))
	return nil, nil
}

func fnSetHeader(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if err := response(th, site); err != nil {
		return nil, err
	}
	name, value := args[0].String(), args[1].String()
	if !runtime.CommonHeaderName(name) && !httpguts.ValidHeaderFieldName(name) {
		return nil, errors.New("SET RESPONSE HEADER: invalid header name " + strconv.Quote(name))
	}
	if !validHeaderValue(value) { // rejects CR and LF: no header injection
		return nil, errors.New("SET RESPONSE HEADER: invalid value for " + name)
	}
	th.SetHeader(name, value)
	return nil, nil
}

// validHeaderValue is httpguts.ValidHeaderFieldValue, a word at a time
// while every byte is printable ASCII (0x20 to 0x7E, all valid), as in
// the usual values: it asks httpguts about anything else.
func validHeaderValue(v string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if len(v) < 8 {
		return httpguts.ValidHeaderFieldValue(v)
	}
	word := func(b string) uint64 {
		return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	}
	// A byte under 0x20 borrows into its high bit, one of 0x7F carries
	// into it, one of 0x80 or more has it: the lowest such byte shows,
	// the bytes below it being printable (no borrow nor carry from them).
	printable := func(x uint64) bool { return ((x-0x20*ones)|x|(x+ones))&highs == 0 }
	for i := 0; ; i += 8 {
		i = min(i, len(v)-8) // the last word overlaps the one before it
		if !printable(word(v[i : i+8])) {
			return httpguts.ValidHeaderFieldValue(v)
		}
		if i == len(v)-8 {
			return true
		}
	}
}

func fnSetStatus(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if err := response(th, site); err != nil {
		return nil, err
	}
	n, err := toNumber(site.Name, 0, args[0])
	if err != nil {
		return nil, err
	}
	if msg := statusProblem(n); msg != "" {
		return nil, errors.New(site.Name + ": " + msg)
	}
	th.SetStatus(int(n))
	return nil, nil
}

// statusProblem is the one status rule: a final status, 200..599. A 1xx
// would be sent as an interim answer and followed by a second one.
func statusProblem(n float64) string {
	if n < 200 || n > 599 || n != math.Trunc(n) {
		return "status " + runtime.FormatNumber(n) + " is outside 200..599"
	}
	return ""
}

// statusLiteral applies statusProblem to a literal status at check time,
// converting it as the run would.
func statusLiteral(_ int, v any) string {
	if n, err := toNumber(lang.StmtSetStatus, 0, literal(v)); err == nil {
		return statusProblem(n)
	}
	return ""
}

func fnGetEnv(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	name := args[0].String()
	if !literalArg(site, 0) { // a literal name passed envLiteral at check time
		if msg := envProblem(name); msg != "" {
			return nil, errors.New(site.Name + ": " + msg)
		}
	}
	return runtime.Str(th.Env(name)), nil
}

// literalArg reports whether site's argument i is a string literal, which a
// builtin's Literal hook vetted when the program was checked.
func literalArg(site *lang.CallExpr, i int) bool {
	if site == nil || i >= len(site.Args) {
		return false
	}
	_, ok := site.Args[i].(*lang.StrLit)
	return ok
}

// envProblem is the one rule of GET ENV: the server's own secrets stay
// secret, whatever the spelling.
func envProblem(name string) string {
	if secret.IsVar(name) {
		return "environment variable " + strings.ToUpper(name) + " is a secret of the server; scripts cannot read it"
	}
	return ""
}

// envLiteral applies envProblem to a literal name at check time.
func envLiteral(_ int, v any) string {
	return envProblem(literal(v).String())
}
