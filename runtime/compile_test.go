package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// TestNewCompilesManyFilesInParallel: New compiles bodies on every core
// (compileBodies); with many files whose FUNCTIONs call each other forwards
// and backwards, every handler still runs its own code and reaches the right
// procs. Under -race it also holds that the compiling goroutines share nothing
// but procFor.
func TestNewCompilesManyFilesInParallel(t *testing.T) {
	const n = 40
	var srcs []lang.Source
	for i := range n {
		next := (i + 1) % n
		src := fmt.Sprintf(`FUNCTION F%[1]d(X)
  IF X <= 0 THEN RETURN %[1]d
  RETURN F%[2]d(X - 1)
END FUNCTION

ON WEBHOOK POST TO "/h%[1]d" DO
  PRINT "h%[1]d:"; F%[1]d(3); ":"; F%[2]d(0)
END ON
`, i, next)
		srcs = append(srcs, lang.Source{Name: fmt.Sprintf("f%02d.bas", i), Text: []byte(src)})
	}
	prog, err := lang.CheckSources(srcs, testBuiltins)
	if err != nil {
		t.Fatal(err)
	}
	m := machineOf(t, prog, testReg, Options{})
	if len(prog.Handlers) != n {
		t.Fatalf("%d handlers, want %d", len(prog.Handlers), n)
	}
	for _, h := range prog.Handlers {
		i := 0
		fmt.Sscanf(strings.TrimPrefix(h.Path, "/h"), "%d", &i)
		resp, _, err := m.Exec(context.Background(), h, &Request{}, "r")
		if err != nil {
			t.Fatal(err)
		}
		// F_i(3) walks three FUNCTIONs on: F_{i+3}(0) answers i+3.
		want := fmt.Sprintf("h%d:%d:%d", i, (i+3)%n, (i+1)%n)
		if got := string(resp.Body); got != want {
			t.Errorf("%s answered %q, want %q", h.Path, got, want)
		}
	}
}
