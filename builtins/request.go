package builtins

import (
	"errors"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// requestDefs read the HTTP request. In a spawned SUB there is none, and each
// fails naming itself.
func requestDefs() []Def {
	return []Def{
		{Builtin: spec("GET FORM VALUE", 1, 1), Fn: fnFormValue},
		{Builtin: spec("GET QUERY VALUE", 1, 1), Fn: withRequest(func(r *runtime.Request, a string) string { return r.QueryValue(a) })},
		{Builtin: spec("GET HEADER", 1, 1), Fn: withRequest(func(r *runtime.Request, a string) string { return r.HeaderValue(a) })},
		{Builtin: spec("GET PATH VALUE", 1, 1), Fn: withRequest(func(r *runtime.Request, a string) string { return r.PathValue(a) })},
		{Builtin: spec("GET REQUEST BODY", 0, 0), Fn: withRequest(func(r *runtime.Request, _ string) string { return r.BodyString() })},
		{Builtin: spec("GET REQUEST METHOD", 0, 0), Fn: withRequest(func(r *runtime.Request, _ string) string { return r.Method })},
		{Builtin: spec("GET REQUEST PATH", 0, 0), Fn: withRequest(func(r *runtime.Request, _ string) string { return r.Path })},
	}
}

// request returns the thread's request or the error a spawned SUB gets.
func request(th *runtime.Thread, site *lang.CallExpr) (*runtime.Request, error) {
	if th == nil || th.Request() == nil {
		return nil, errors.New(site.Name + ": there is no request here (a spawned SUB runs after the response)")
	}
	return th.Request(), nil
}

func withRequest(get func(r *runtime.Request, arg string) string) runtime.BuiltinFunc {
	return func(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		r, err := request(th, site)
		if err != nil {
			return nil, err
		}
		arg := ""
		if len(args) > 0 {
			arg = args[0].String()
		}
		return runtime.Str(get(r, arg)), nil
	}
}

func fnFormValue(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	r, err := request(th, site)
	if err != nil {
		return nil, err
	}
	v, err := r.FormValue(args[0].String())
	if err != nil {
		return nil, err
	}
	return runtime.Str(v), nil
}
