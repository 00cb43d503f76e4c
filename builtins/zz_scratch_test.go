package builtins

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestZZScratch(t *testing.T) {
	files, _ := filepath.Glob(os.Getenv("SCRATCH") + "/*.bas")
	for _, f := range files {
		fmt.Printf("=== %s\n%s\n", filepath.Base(f), runGolden(t, f))
	}
}
