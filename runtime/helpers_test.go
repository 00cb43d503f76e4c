package runtime

import (
	"context"
	"errors"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// Hand-built ASTs, as the checker would make them, for file "t.bas".

type fakeReg map[string]BuiltinFunc

func (r fakeReg) Lookup(name string) (BuiltinFunc, bool) { fn, ok := r[name]; return fn, ok }

// TextMap makes fakeReg a TextMaps: ESC and PLUS are text mappings.
func (r fakeReg) TextMap(name string) *TextMap { return testMaps[name] }

var errBoom = errors.New("boom")

type customErr struct{ code int }

func (e *customErr) Error() string { return "graph said no" }

// testBuiltins is the table (order = index) and testReg its implementations.
var testBuiltins = []lang.Builtin{
	{Name: "PRINT", MinArgs: 1, MaxArgs: -1, Stmt: true},
	{Name: "JSONLIT", MinArgs: 1, MaxArgs: 1},
	{Name: "FAIL", MinArgs: 0, MaxArgs: 0},
	{Name: "GET FORM VALUE", MinArgs: 1, MaxArgs: 1},
	{Name: "SET RESPONSE STATUS", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "SET RESPONSE HEADER", MinArgs: 2, MaxArgs: 2, Stmt: true},
	{Name: "GRAPH", MinArgs: 0, MaxArgs: 0},
	{Name: "LOG", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "ESC", MinArgs: 1, MaxArgs: 1},
	{Name: "PLUS", MinArgs: 1, MaxArgs: 1},
}

func builtinIndex(name string) int {
	for i, b := range testBuiltins {
		if b.Name == name {
			return i
		}
	}
	panic("no test builtin " + name)
}

var testReg = fakeReg{
	"PRINT": func(th *Thread, _ *lang.CallExpr, args []Value) (Value, error) {
		for _, a := range args {
			if err := th.Write(a.String()); err != nil {
				return nil, err
			}
		}
		return nil, nil
	},
	"JSONLIT": func(_ *Thread, _ *lang.CallExpr, args []Value) (Value, error) {
		return JSON(args[0].String()), nil
	},
	"FAIL": func(*Thread, *lang.CallExpr, []Value) (Value, error) { return nil, errBoom },
	"GET FORM VALUE": func(th *Thread, _ *lang.CallExpr, args []Value) (Value, error) {
		if th.Request() == nil {
			return nil, errors.New("GET FORM VALUE: there is no request here")
		}
		s, err := th.Request().FormValue(args[0].String())
		return Str(s), err
	},
	"SET RESPONSE STATUS": func(th *Thread, _ *lang.CallExpr, args []Value) (Value, error) {
		th.SetStatus(int(args[0].(Num)))
		return nil, nil
	},
	"SET RESPONSE HEADER": func(th *Thread, _ *lang.CallExpr, args []Value) (Value, error) {
		th.SetHeader(args[0].String(), args[1].String())
		return nil, nil
	},
	"GRAPH": func(*Thread, *lang.CallExpr, []Value) (Value, error) { return nil, &customErr{code: 131047} },
	"LOG": func(th *Thread, site *lang.CallExpr, args []Value) (Value, error) {
		th.Logger().Info(args[0].String(), "at", site.P.Short())
		return nil, nil
	},
	"ESC":  escMap.Builtin(),
	"PLUS": plusMap.Builtin(),
}

func at(line, col int) lang.Pos { return lang.Pos{File: "t.bas", Line: line, Col: col} }

var p0 = at(1, 1)

func num(f float64) lang.Expr { return &lang.NumLit{P: p0, Value: f} }
func str(s string) lang.Expr  { return &lang.StrLit{P: p0, Value: s} }
func bin(op lang.Op, l, r lang.Expr) lang.Expr {
	return &lang.Binary{P: p0, Op: op, L: l, R: r}
}
func binAt(p lang.Pos, op lang.Op, l, r lang.Expr) lang.Expr {
	return &lang.Binary{P: p, Op: op, L: l, R: r}
}
func not(x lang.Expr) lang.Expr { return &lang.Unary{P: p0, Op: lang.OpNot, X: x} }
func neg(x lang.Expr) lang.Expr { return &lang.Unary{P: p0, Op: lang.OpNeg, X: x} }

// bi calls a test builtin in expression position.
func bi(name string, args ...lang.Expr) *lang.CallExpr {
	return &lang.CallExpr{P: p0, Name: name, Args: args, Builtin: builtinIndex(name)}
}

func biAt(p lang.Pos, name string, args ...lang.Expr) *lang.CallExpr {
	c := bi(name, args...)
	c.P = p
	return c
}

func call(p lang.Pos, proc *lang.Proc, args ...lang.Expr) *lang.CallExpr {
	return &lang.CallExpr{P: p, Name: proc.Name, Args: args, Builtin: -1, Proc: proc}
}

func do(c *lang.CallExpr) lang.Stmt { return &lang.CallStmt{P: c.P, Call: c} }
func out(args ...lang.Expr) lang.Stmt {
	return do(bi("PRINT", args...))
}
func ret(x lang.Expr) lang.Stmt { return &lang.Return{P: p0, X: x} }
func ifThen(cond lang.Expr, then []lang.Stmt, els ...lang.Stmt) lang.Stmt {
	return &lang.If{P: p0, Conds: []lang.Expr{cond}, Blocks: [][]lang.Stmt{then}, Else: els}
}
func exit(k lang.ExitKind) lang.Stmt { return &lang.Exit{P: p0, Kind: k} }
func while(p lang.Pos, kind lang.LoopKind, cond lang.Expr, body ...lang.Stmt) lang.Stmt {
	return &lang.While{P: p, Kind: kind, Cond: cond, Body: body}
}

// frame hands out slots by name, like the checker.
type frame struct{ names []string }

func (f *frame) slot(name string) int {
	for i, n := range f.names {
		if n == name {
			return i
		}
	}
	f.names = append(f.names, name)
	return len(f.names) - 1
}

func (f *frame) v(name string) lang.Expr { return f.vAt(p0, name) }
func (f *frame) vAt(p lang.Pos, name string) lang.Expr {
	return &lang.VarRef{P: p, Name: name, Slot: f.slot(name)}
}
func (f *frame) set(name string, x lang.Expr) lang.Stmt {
	return &lang.Assign{P: p0, Name: name, Slot: f.slot(name), X: x}
}
func (f *frame) forLoop(name string, from, to, step lang.Expr, body ...lang.Stmt) lang.Stmt {
	return &lang.For{P: p0, Var: name, Slot: f.slot(name), From: from, To: to, Step: step, Body: body}
}
func (f *frame) forEach(name string, x lang.Expr, body ...lang.Stmt) lang.Stmt {
	return &lang.ForEach{P: p0, Var: name, Slot: f.slot(name), X: x, Body: body}
}

// proc makes a SUB or FUNCTION whose params take the first slots of f.
func (f *frame) proc(kind lang.ProcKind, name string, params ...string) *lang.Proc {
	for _, p := range params {
		f.slot(p)
	}
	return &lang.Proc{P: p0, Kind: kind, Name: name, Params: params}
}

// finish sets the body and frame of a proc built with (*frame).proc.
func (f *frame) finish(p *lang.Proc, body ...lang.Stmt) {
	p.Body = body
	p.Frame = lang.Frame{Names: f.names}
}

func handler(f *frame, body ...lang.Stmt) *lang.Handler {
	return &lang.Handler{P: p0, Method: "POST", Path: "/t", Body: body, Frame: lang.Frame{Names: f.names}}
}

func machine(t testing.TB, opts Options, h *lang.Handler, procs ...*lang.Proc) *Machine {
	t.Helper()
	prog := &lang.Program{Handlers: []*lang.Handler{h}, Procs: map[string]*lang.Proc{}, Builtins: testBuiltins}
	for _, p := range procs {
		prog.Procs[p.Name] = p
	}
	m := machineOf(t, prog, testReg, opts)
	return m
}

// run executes a handler body and gives the response body or the error text.
func run(t *testing.T, f *frame, body ...lang.Stmt) string {
	t.Helper()
	h := handler(f, body...)
	resp, _, err := machine(t, Options{}, h).Exec(context.Background(), h, &Request{}, "r1")
	if err != nil {
		return "error: " + err.Error()
	}
	return string(resp.Body)
}

func check(t *testing.T, name, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %q, want %q", name, got, want)
	}
}

// checked parses and checks src as t.bas against the test builtins.
func checked(t testing.TB, src string) *lang.Program {
	t.Helper()
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, testBuiltins)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return prog
}

// machineOf makes the Machine that runs prog with reg.
func machineOf(t testing.TB, prog *lang.Program, reg Registry, opts Options) *Machine {
	t.Helper()
	m, err := New(prog, reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
