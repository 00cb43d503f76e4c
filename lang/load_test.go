package lang

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func route(path string) string {
	return "ON WEBHOOK GET TO \"" + path + "\" DO\n  PRINT \"x\"\nEND ON\n"
}

// writeTree creates files (path → text) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Scripts in subdirectories are loaded; hidden and temporary names, files
// and directories alike, are not (their text would not even check).
func TestLoadDirsSubdirectories(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"top.bas":             route("/top"),
		"sub/a.bas":           route("/a"),
		"sub/deeper/b.bas":    route("/b"),
		"sub/notes.txt":       "not a script",
		".git/hooks/x.bas":    "broken",
		".hidden.bas":         "broken",
		"sub/.a.bas.swp":      "broken",
		"sub/a.bas~":          "broken",
		"old.tmp/c.bas":       "broken",
		"backup~/c.bas":       "broken",
		"sub/sedAb12Cd":       "broken",
		"..2026_01_01/v.bas":  "broken",
		"sub/deeper/4913":     "broken",
		"sub/deeper/x.bas.tm": "broken",
	})
	prog, err := LoadDirs([]string{dir}, testTable)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range prog.Handlers {
		rel, _ := filepath.Rel(dir, h.P.File)
		got = append(got, h.Path+" "+filepath.ToSlash(rel))
	}
	sort.Strings(got)
	want := []string{"/a sub/a.bas", "/b sub/deeper/b.bas", "/top top.bas"}
	if len(got) != len(want) {
		t.Fatalf("handlers %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("handler %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// A problem in a subdirectory names the file by its path under the directory.
func TestLoadDirsErrorNamesSubdirectoryPath(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.bas":          route("/a"),
		"team/x/dup.bas": route("/a"),
	})
	_, err := LoadDirs([]string{dir}, testTable)
	want := dir + "/team/x/dup.bas:1:1: duplicate route GET /a (first defined at " + dir + "/a.bas:1:1)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestLoadDirsMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	_, err := LoadDirs([]string{dir}, testTable)
	want := "lstat " + dir + ": no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestSkipName(t *testing.T) {
	tests := []struct {
		name   string
		skip   bool
		script bool
	}{
		{"bot.bas", false, true},
		{"notes.txt", false, false},
		{"team", false, false},
		{"sed.bas", false, true},
		{".bot.bas", true, false},
		{".git", true, false},
		{"..data", true, false},
		{".bot.bas.swp", true, false},
		{"bot.bas.swp", true, false},
		{"bot.bas.swx", true, false},
		{"bot.bas~", true, false},
		{"bot.bas.tmp", true, false},
		{"4913", true, false},
		{"sedAb12Cd", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SkipName(tc.name); got != tc.skip {
				t.Errorf("SkipName = %v, want %v", got, tc.skip)
			}
			if got := IsScriptName(tc.name); got != tc.script {
				t.Errorf("IsScriptName = %v, want %v", got, tc.script)
			}
		})
	}
}
