package runtime

import (
	"testing"

	"github.com/gbhook/gbhook/lang"
)

func TestArithmetic(t *testing.T) {
	f := &frame{}
	tests := []struct {
		name string
		x    lang.Expr
		want string
	}{
		{"10-4-3 folded", bin(lang.OpSub, bin(lang.OpSub, num(10), num(4)), num(3)), "3"},
		{"10-4-3 vars", bin(lang.OpSub, bin(lang.OpSub, f.v("A"), f.v("B")), f.v("C")), "3"},
		{"2^3^2", bin(lang.OpPow, num(2), bin(lang.OpPow, num(3), num(2))), "512"},
		{"number+number", bin(lang.OpAdd, num(1), num(2)), "3"},
		{"string+number", bin(lang.OpAdd, str("1"), num(2)), "12"},
		{"number+string", bin(lang.OpAdd, num(1), str("x")), "1x"},
		{"number&number", bin(lang.OpCat, num(1), num(2)), "12"},
		{"bool&string", bin(lang.OpCat, bin(lang.OpEq, num(1), num(1)), str("!")), "TRUE!"},
		{"numeric string minus", bin(lang.OpSub, str(" 10 "), num(4)), "6"},
		{"mul div", bin(lang.OpDiv, bin(lang.OpMul, num(7), num(1)), num(2)), "3.5"},
		{"mod", bin(lang.OpMod, num(-7), num(3)), "-1"},
		{"neg", neg(num(7)), "-7"},
		{"0.1+0.2", bin(lang.OpAdd, num(0.1), num(0.2)), "0.30000000000000004"},
		{"1e21", num(1e21), "1e+21"},
		{"million", bin(lang.OpMul, num(1000), num(1000)), "1000000"},
		{"half", bin(lang.OpDiv, num(1), num(2)), "0.5"},
		{"json + string", bin(lang.OpAdd, str("x="), bi("JSONLIT", str(`{"a":[1,2]}`))), `x={"a":[1,2]}`},
		{"json & number", bin(lang.OpCat, bi("JSONLIT", str(`[1]`)), num(2)), `[1]2`},
		{"numeric compare with string", bin(lang.OpGt, str("10"), num(9)), "TRUE"},
		{"string compare", bin(lang.OpLt, str("abc"), str("abd")), "TRUE"},
		{"text compare of digit strings", bin(lang.OpLt, str("10"), str("9")), "TRUE"},
		{"equal number string", bin(lang.OpEq, str("1"), num(1)), "TRUE"},
		{"not equal", bin(lang.OpNe, str("a"), str("A")), "TRUE"},
		{"bool equal", bin(lang.OpEq, bin(lang.OpLt, num(1), num(2)), str("TRUE")), "TRUE"},
		{"le ge", bin(lang.OpAnd, bin(lang.OpLe, num(2), num(2)), bin(lang.OpGe, num(2), num(3))), "FALSE"},
		{"not", not(str("")), "TRUE"},
		{"or", bin(lang.OpOr, num(0), str("x")), "TRUE"},
	}
	for _, tc := range tests {
		got := run(t, f, f.set("A", num(10)), f.set("B", num(4)), f.set("C", num(3)), out(tc.x))
		check(t, tc.name, got, tc.want)
	}
}

func TestOperatorErrors(t *testing.T) {
	f := &frame{}
	tests := []struct {
		name string
		x    lang.Expr
		want string
	}{
		{"bool+number", binAt(at(2, 9), lang.OpAdd, bin(lang.OpEq, num(1), num(1)), num(1)),
			"error: t.bas:2:9: operator + needs numbers or strings, got TRUE"},
		{"string-number", binAt(at(2, 9), lang.OpSub, str("abc"), num(1)),
			`error: t.bas:2:9: operator - needs numbers, got "abc"`},
		{"json*number", binAt(at(2, 9), lang.OpMul, num(2), bi("JSONLIT", str(`{"a":1}`))),
			`error: t.bas:2:9: operator * needs numbers, got JSON {"a":1}`},
		{"division by zero", binAt(at(3, 4), lang.OpDiv, num(1), num(0)), "error: t.bas:3:4: division by zero"},
		{"mod zero", binAt(at(3, 4), lang.OpMod, num(1), f.v("Z")), "error: t.bas:3:4: division by zero"},
		{"neg string", &lang.Unary{P: at(4, 1), Op: lang.OpNeg, X: str("x")},
			`error: t.bas:4:1: operator - needs a number, got "x"`},
	}
	for _, tc := range tests {
		check(t, tc.name, run(t, f, f.set("Z", num(0)), out(tc.x)), tc.want)
	}
}

func TestShortCircuit(t *testing.T) {
	f := &frame{}
	got := run(t, f,
		out(bin(lang.OpAnd, num(0), bi("FAIL"))),
		out(bin(lang.OpOr, num(1), bi("FAIL"))),
	)
	check(t, "short circuit", got, "FALSETRUE")
	got = run(t, f, out(bin(lang.OpAnd, num(1), biAt(at(5, 2), "FAIL"))))
	check(t, "evaluated", got, "error: t.bas:5:2: boom")
}

func TestUnassignedVariable(t *testing.T) {
	f := &frame{}
	got := run(t, f,
		ifThen(num(0), []lang.Stmt{f.set("X$", num(1))}),
		out(f.vAt(at(2, 7), "X$")),
	)
	check(t, "unassigned", got, "error: t.bas:2:7: variable X$ is not assigned")
}

func TestIfElseIf(t *testing.T) {
	f := &frame{}
	mk := func(n float64) string {
		return run(t, f, f.set("N", num(n)), &lang.If{P: p0,
			Conds:  []lang.Expr{bin(lang.OpLt, f.v("N"), num(0)), bin(lang.OpEq, f.v("N"), num(0))},
			Blocks: [][]lang.Stmt{{out(str("neg"))}, {out(str("zero"))}},
			Else:   []lang.Stmt{out(str("pos"))},
		})
	}
	check(t, "if", mk(-1)+mk(0)+mk(1), "negzeropos")
}

func TestForLoops(t *testing.T) {
	f := &frame{}
	got := run(t, f,
		f.forLoop("I", num(5), num(1), neg(num(2)), out(f.v("I"), str(","))),
		out(str("after="), f.v("I")),
	)
	check(t, "negative step", got, "5,3,1,after=-1")

	got = run(t, f, f.forLoop("I", num(1), num(0), nil, out(f.v("I"))), out(f.v("I")))
	check(t, "zero iterations", got, "1")

	got = run(t, f, f.forLoop("I", num(0), num(1), num(0.25), out(f.v("I"), str(" "))))
	check(t, "fractional step", got, "0 0.25 0.5 0.75 1 ")

	got = run(t, f, f.forLoop("I", num(1), num(10), nil, out(f.v("I")), f.set("I", bin(lang.OpMul, f.v("I"), num(3)))))
	check(t, "body moves counter", got, "14")

	step0 := &lang.For{P: at(7, 3), Var: "I", Slot: f.slot("I"), From: num(1), To: num(2), Step: num(0)}
	check(t, "step 0", run(t, f, step0), "error: t.bas:7:3: FOR STEP is 0")

	bad := &lang.For{P: at(8, 3), Var: "I", Slot: f.slot("I"), From: str("a"), To: num(2)}
	check(t, "bad bound", run(t, f, bad), `error: t.bas:8:3: FOR needs numbers, got "a"`)
}

func TestNestedLoopsExit(t *testing.T) {
	f := &frame{}
	got := run(t, f,
		f.forLoop("I", num(1), num(3), nil,
			f.forLoop("J", num(1), num(3), nil,
				ifThen(bin(lang.OpEq, f.v("J"), num(2)), []lang.Stmt{exit(lang.ExitFor)}),
				out(f.v("I"), f.v("J"), str(" ")),
			),
			out(str("|")),
		),
	)
	check(t, "exit inner for", got, "11 |21 |31 |")

	// EXIT WHILE inside a FOR inside a WHILE leaves the WHILE (and the FOR).
	got = run(t, f,
		f.set("K", num(0)),
		while(p0, lang.LoopWhile, num(1),
			f.set("K", bin(lang.OpAdd, f.v("K"), num(1))),
			f.forLoop("I", num(1), num(5), nil,
				ifThen(bin(lang.OpEq, f.v("K"), num(3)), []lang.Stmt{exit(lang.ExitWhile)}),
				ifThen(bin(lang.OpEq, f.v("I"), num(2)), []lang.Stmt{exit(lang.ExitFor)}),
				out(f.v("K")),
			),
		),
		out(str("done"), f.v("K")),
	)
	check(t, "exit while through for", got, "12done3")

	// EXIT DO leaves the DO loop; a WHILE inside it is not the target of EXIT DO.
	got = run(t, f,
		f.set("K", num(0)),
		while(p0, lang.LoopDo, bin(lang.OpLt, f.v("K"), num(10)),
			f.set("K", bin(lang.OpAdd, f.v("K"), num(1))),
			while(p0, lang.LoopWhile, num(1), exit(lang.ExitWhile)),
			ifThen(bin(lang.OpEq, f.v("K"), num(4)), []lang.Stmt{exit(lang.ExitDo)}),
		),
		out(f.v("K")),
	)
	check(t, "exit do", got, "4")
}

func TestForEach(t *testing.T) {
	f := &frame{}
	each := func(x lang.Expr) string {
		return run(t, f, f.forEach("E", x, out(f.v("E"), str(";"))), out(str(".")))
	}
	check(t, "array", each(bi("JSONLIT", str(`[1, "a", {"b": 2}, true, null]`))), `1;a;{"b": 2};TRUE;;.`)
	check(t, "object values in order", each(bi("JSONLIT", str(`{"z": 1, "a": "x", "m": [2]}`))), `1;x;[2];.`)
	check(t, "empty string", each(str("")), ".")
	check(t, "string holding JSON", each(str(`[3,4]`)), "3;4;.")
	check(t, "empty array", each(bi("JSONLIT", str(`[]`))), ".")

	bad := &lang.ForEach{P: at(4, 2), Var: "E", Slot: f.slot("E"), X: str("abc")}
	check(t, "not JSON", run(t, f, bad), `error: t.bas:4:2: FOR EACH needs a JSON array or object, got "abc"`)
	bad.X = num(3)
	check(t, "number", run(t, f, bad), `error: t.bas:4:2: FOR EACH needs a JSON array or object, got 3`)

	got := run(t, f, f.forEach("E", str(`[1,2,3,4]`),
		ifThen(bin(lang.OpEq, f.v("E"), num(3)), []lang.Stmt{exit(lang.ExitFor)}),
		out(f.v("E"))))
	check(t, "exit for each", got, "12")
}

func TestSelectCase(t *testing.T) {
	f := &frame{}
	sel := func(x lang.Expr) string {
		return run(t, f, &lang.Select{P: p0, X: x, Cases: []*lang.Case{
			{P: p0, Values: []lang.Expr{str("1"), str("2")}, Body: []lang.Stmt{out(str("one or two"))}},
			{P: p0, Values: []lang.Expr{num(3)}, Body: []lang.Stmt{out(str("three"))}},
			{P: p0, Values: []lang.Expr{num(2)}, Body: []lang.Stmt{out(str("never"))}},
		}, Else: []lang.Stmt{out(str("other"))}, HasElse: true})
	}
	check(t, "first value", sel(str("1")), "one or two")
	check(t, "second value, number", sel(num(2)), "one or two")
	check(t, "numeric string", sel(str("3")), "three")
	check(t, "else", sel(str("9")), "other")
	noElse := &lang.Select{P: p0, X: num(5), Cases: []*lang.Case{{P: p0, Values: []lang.Expr{num(1)}, Body: []lang.Stmt{out(str("x"))}}}}
	check(t, "no match", run(t, f, noElse, out(str("end"))), "end")
}

// = and <> against a text constant (compareText's quick path for a text
// left side) agree with the general rules for every kind of left side.
func TestCompareWithTextConstant(t *testing.T) {
	f := &frame{}
	tests := []struct {
		name string
		x    lang.Expr
		want string
	}{
		{"text equal", bin(lang.OpEq, f.v("S"), str("1")), "TRUE"},
		{"text not equal", bin(lang.OpNe, f.v("S"), str("1")), "FALSE"},
		{"case matters", bin(lang.OpEq, f.v("S"), str("A")), "FALSE"},
		{"empty", bin(lang.OpEq, f.v("E"), str("")), "TRUE"},
		{"number against numeric text", bin(lang.OpEq, f.v("N"), str(" 1 ")), "TRUE"},
		{"number against other text", bin(lang.OpNe, f.v("N"), str("x")), "TRUE"},
		{"boolean against its text", bin(lang.OpEq, f.v("B"), str("TRUE")), "TRUE"},
		{"json against its text", bin(lang.OpEq, f.v("J"), str("[1]")), "TRUE"},
		{"text against a number constant", bin(lang.OpEq, f.v("S"), num(1)), "TRUE"},
	}
	for _, tc := range tests {
		got := run(t, f, f.set("S", str("1")), f.set("E", str("")), f.set("N", num(1)),
			f.set("B", bin(lang.OpLt, f.v("N"), num(2))), f.set("J", bi("JSONLIT", str("[1]"))), out(tc.x))
		check(t, tc.name, got, tc.want)
	}
}
