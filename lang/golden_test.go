package lang

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden checks each testdata/lang/*.bas alone: a valid program's golden is
// its AST dump, an invalid one's is every problem, one per line.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/lang/*.bas")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden scripts: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".bas"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := CheckSources([]Source{{Name: name, Text: src}}, testTable)
			got := ""
			if err != nil {
				got = "problems:\n" + err.Error() + "\n"
			} else {
				got = dump(prog)
			}
			if strings.HasPrefix(name, "bad-") != (err != nil) {
				t.Errorf("bad-* files must fail and others pass; got err=%v", err)
			}
			golden := strings.TrimSuffix(path, ".bas") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lang -run TestGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from golden:\n--- got\n%s--- want\n%s", name, got, want)
			}
		})
	}
}
