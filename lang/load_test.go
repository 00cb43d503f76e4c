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
	want := "stat " + dir + ": no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestLoadDirsNotADirectory(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.bas": route("/a")})
	file := filepath.Join(dir, "a.bas")
	_, err := LoadDirs([]string{file}, testTable)
	want := "read " + file + ": not a directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// A scripts directory reached through a symbolic link, and scripts that are
// links (as in a Kubernetes ConfigMap), load; a link to a directory under it
// is not followed (a loop cannot trap the walk).
func TestLoadDirsSymbolicLinks(t *testing.T) {
	target := writeTree(t, map[string]string{
		"..2026_01/v.bas": route("/v"),
		"team/a.bas":      route("/a"),
	})
	for _, l := range [][2]string{{"..2026_01", "..data"}, {"..data/v.bas", "v.bas"}, {".", "team/loop"}} {
		if err := os.Symlink(l[0], filepath.Join(target, filepath.FromSlash(l[1]))); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(t.TempDir(), "scripts")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	prog, err := LoadDirs([]string{link}, testTable)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range prog.Handlers {
		got = append(got, h.Path+" "+h.P.File)
	}
	sort.Strings(got)
	want := []string{"/a " + link + "/team/a.bas", "/v " + link + "/v.bas"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("handlers %q, want %q", got, want)
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
