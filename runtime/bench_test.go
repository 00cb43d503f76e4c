package runtime

import (
	"context"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// FUNCTION FIB(N): IF N < 2 THEN RETURN N: RETURN FIB(N-1) + FIB(N-2)
func BenchmarkFib20(b *testing.B) {
	pf := &frame{}
	fib := pf.proc(lang.KindFunction, "FIB", "N")
	pf.finish(fib,
		ifThen(bin(lang.OpLt, pf.v("N"), num(2)), []lang.Stmt{ret(pf.v("N"))}),
		ret(bin(lang.OpAdd,
			call(p0, fib, bin(lang.OpSub, pf.v("N"), num(1))),
			call(p0, fib, bin(lang.OpSub, pf.v("N"), num(2))))),
	)
	f := &frame{}
	h := handler(f, out(call(p0, fib, num(20))))
	m := machine(b, Options{}, h, fib)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Exec(context.Background(), h, &Request{}, "r"); err != nil {
			b.Fatal(err)
		}
	}
}

// A typical small handler: a few assignments, a loop, string building, PRINT.
func BenchmarkSmallHandler(b *testing.B) {
	f := &frame{}
	h := handler(f,
		f.set("S$", str("")),
		f.forLoop("I", num(1), num(10), nil, f.set("S$", bin(lang.OpCat, f.v("S$"), f.v("I")))),
		ifThen(bin(lang.OpEq, f.v("S$"), str("12345678910")), []lang.Stmt{out(str("<?xml version=\"1.0\"?><Response/>"))}),
	)
	m := machine(b, Options{}, h)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Exec(context.Background(), h, &Request{}, "r"); err != nil {
			b.Fatal(err)
		}
	}
}
