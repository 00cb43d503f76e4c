package builtins

import (
	"errors"
	"strconv"

	"golang.org/x/net/http/httpguts"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// responseDefs write the buffered response and the log, and read the environment.
func responseDefs() []Def {
	return []Def{
		{Builtin: stmt("PRINT", 0, lang.Variadic), Fn: fnPrint},
		{Builtin: stmt("LOG", 1, 1), Fn: fnLog},
		{Builtin: stmt("SET RESPONSE HEADER", 2, 2), Fn: fnSetHeader},
		{Builtin: stmt("SET RESPONSE STATUS", 1, 1), Fn: fnSetStatus},
		{Builtin: spec("GET ENV", 1, 1), Fn: fnGetEnv},
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
	th.Logger().Info(msg, "at", site.P.Short())
	return nil, nil
}

func fnSetHeader(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if err := response(th, site); err != nil {
		return nil, err
	}
	name, value := args[0].String(), args[1].String()
	if !httpguts.ValidHeaderFieldName(name) {
		return nil, errors.New("SET RESPONSE HEADER: invalid header name " + strconv.Quote(name))
	}
	if !httpguts.ValidHeaderFieldValue(value) { // rejects CR and LF: no header injection
		return nil, errors.New("SET RESPONSE HEADER: invalid value for " + name)
	}
	th.SetHeader(name, value)
	return nil, nil
}

func fnSetStatus(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if err := response(th, site); err != nil {
		return nil, err
	}
	n, err := toNumber("SET RESPONSE STATUS", 0, args[0])
	if err != nil {
		return nil, err
	}
	if n < 100 || n > 599 || n != float64(int(n)) {
		return nil, errors.New("SET RESPONSE STATUS: status " + runtime.FormatNumber(n) + " is outside 100..599")
	}
	th.SetStatus(int(n))
	return nil, nil
}

func fnGetEnv(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	return runtime.Str(th.Env(args[0].String())), nil
}
