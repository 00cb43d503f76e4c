package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// A save in a directory loaded through lang.Loader, with Options.Reuse: the
// handlers of the files the new program shares are not compiled again, and
// every handler answers as a fresh Machine would, also one calling a
// FUNCTION of the saved file.
func TestNewReusesCodeOfSharedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.bas", "ON WEBHOOK POST TO \"/a\" DO\n  PRINT \"a\"; WORD\nEND ON\n") // calls b.bas
	write("b.bas", "FUNCTION WORD\n  RETURN \"1\"\nEND FUNCTION\n")
	write("c.bas", "SUB TWICE(X)\n  PRINT X; X\nEND SUB\nON WEBHOOK POST TO \"/c\" DO\n  TWICE \"c\"\nEND ON\n")
	loader := lang.NewLoader([]string{dir}, testBuiltins)
	load := func(reuse *Machine, maxDepth int) *Machine {
		prog, err := loader.Load()
		if err != nil {
			t.Fatal(err)
		}
		m := machineOf(t, prog, testReg, Options{Reuse: reuse, MaxDepth: maxDepth})
		return m
	}
	first := load(nil, 0)
	write("b.bas", "FUNCTION WORD\n  RETURN \"2\"\nEND FUNCTION\n")
	second := load(first, 0)
	for path, want := range map[string]string{"/a": "a2", "/c": "cc"} {
		if got := answer(t, second, path); got != want {
			t.Errorf("%s answered %q, want %q", path, got, want)
		}
	}
	for _, h := range second.Program().Handlers {
		reused := second.handlers[h] == first.handlers[h]
		if want := h.Path == "/c"; reused != want {
			t.Errorf("%s: code reused %v, want %v", h.Path, reused, want)
		}
	}
	if second.subs["TWICE"] != first.subs["TWICE"] {
		t.Error("the SUB of the unchanged file was compiled again")
	}
	if second.opts.Reuse != nil {
		t.Error("the new Machine keeps the old one")
	}
	write("b.bas", "FUNCTION WORD\n  RETURN \"3\"\nEND FUNCTION\n")
	third := load(second, 50) // another call depth limit: compiled afresh
	for _, h := range third.Program().Handlers {
		if third.handlers[h] == second.handlers[h] {
			t.Errorf("%s: code reused across a MaxDepth change", h.Path)
		}
	}
	if got := answer(t, third, "/a"); got != "a3" {
		t.Errorf("/a answered %q, want %q", got, "a3")
	}
}

func answer(t *testing.T, m *Machine, path string) string {
	t.Helper()
	for _, h := range m.Program().Handlers {
		if h.Path == path {
			resp, _, err := m.Exec(context.Background(), h, &Request{}, "r")
			if err != nil {
				t.Fatal(err)
			}
			return string(resp.Body)
		}
	}
	t.Fatalf("no handler for %s", path)
	return ""
}
