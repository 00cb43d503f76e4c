package lang

import (
	"os"
	"os/exec"
	"testing"
)

// Regression: participle's parser was built at package init and held about
// 800 KB of heap for good, marked by every GC cycle of the server. Scripts
// the hand parser reads in full never need it; a syntax error does.
func TestParticipleIsBuiltOnlyWhenAScriptNeedsIt(t *testing.T) {
	if dir := os.Getenv("GBHOOK_LAZY_PARSER_DIR"); dir != "" {
		// The child: a fresh process, so no other test built it first.
		LoadDirs([]string{dir}, testTable) //nolint:errcheck // only the parser's state matters
		if parserBuilt.Load() {
			os.Exit(3)
		}
		os.Exit(0)
	}
	for _, c := range []struct {
		name, dir string
		built     bool
	}{
		{"the seed's scripts", "../testdata/seed", false},
		{"a syntax error", "../testdata/lang/syntax-error-dir", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestParticipleIsBuiltOnlyWhenAScriptNeedsIt$")
			cmd.Env = append(os.Environ(), "GBHOOK_LAZY_PARSER_DIR="+c.dir)
			err := cmd.Run()
			built := false
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
				built = true
			} else if err != nil {
				t.Fatal(err)
			}
			if built != c.built {
				t.Errorf("participle built: %v, want %v", built, c.built)
			}
		})
	}
}
