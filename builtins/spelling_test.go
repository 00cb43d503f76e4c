package builtins

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// TestLangSpellsNoBuiltinName: the builtin table is the one place a builtin's
// name is spelled. Package lang may name statement forms only in forms.go,
// the table it shares with this package through its constants.
func TestLangSpellsNoBuiltinName(t *testing.T) {
	files, err := filepath.Glob("../lang/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no lang sources: %v", err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") || filepath.Base(path) == "forms.go" {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range Specs() {
			if httpMethods[b.Name] {
				continue // GET, POST...: also the route methods of ON WEBHOOK, which lang does spell
			}
			re := regexp.MustCompile(`\b` + regexp.QuoteMeta(b.Name) + `\b`)
			for _, loc := range re.FindAllIndex(src, -1) {
				line := 1 + strings.Count(string(src[:loc[0]]), "\n")
				t.Errorf("%s:%d spells the builtin name %q", filepath.Base(path), line, b.Name)
			}
		}
	}
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true}

// TestStatementFormsAreBuiltins: every form lang parses has an implementation.
func TestStatementFormsAreBuiltins(t *testing.T) {
	var names []string
	for _, b := range Specs() {
		names = append(names, b.Name)
	}
	for _, f := range lang.StatementForms() {
		if !slices.Contains(names, f) {
			t.Errorf("statement form %q has no builtin", f)
		}
	}
}
