package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// loadBoth loads dir with l and with LoadDirs and fails unless both give the
// same program (or the same problems).
func loadBoth(t *testing.T, l *Loader, dir string) *Program {
	t.Helper()
	got, gotErr := l.Load()
	want, wantErr := LoadDirs([]string{dir}, testTable)
	if errText(gotErr) != errText(wantErr) {
		t.Fatalf("Loader: %v\nLoadDirs: %v", gotErr, wantErr)
	}
	if want != nil && (dump(got) != dump(want) || !reflect.DeepEqual(got, want)) {
		t.Fatalf("Loader and LoadDirs differ:\n%s\n---\n%s", dump(got), dump(want))
	}
	return got
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

const greetingUser = "ON WEBHOOK GET TO \"/a\" DO\n  LET X$ = GREETING TEXT\n  PRINT X$\nEND ON\n"

// Each step edits the directory; after each, a Loader that has seen every
// earlier step must load what LoadDirs loads from scratch.
func TestLoaderMatchesLoadDirsAcrossEdits(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.bas": greetingUser,
		"b.bas": "FUNCTION GREETING TEXT\n  RETURN \"hi\"\nEND FUNCTION\n",
		"c.bas": route("/c"),
	})
	l := NewLoader([]string{dir}, testTable)
	loadBoth(t, l, dir)
	for _, step := range []struct {
		name, file, text string
	}{
		{"edit a handler body", "c.bas", route("/c") + route("/c2")},
		{"rename the FUNCTION another file calls", "b.bas", "FUNCTION GREETING WORDS\n  RETURN \"hi\"\nEND FUNCTION\n"},
		{"a one-word FUNCTION: GREETING TEXT becomes a call with an argument", "b.bas",
			"FUNCTION GREETING(T$)\n  RETURN T$\nEND FUNCTION\n"},
		{"rename it back", "b.bas", "FUNCTION GREETING TEXT\n  RETURN \"hi\"\nEND FUNCTION\n"},
		{"give it a parameter", "b.bas", "FUNCTION GREETING TEXT(N)\n  RETURN \"hi\"\nEND FUNCTION\n"},
		{"a syntax error", "c.bas", "ON WEBHOOK GET TO \"/c\" DO\n  PRINT (\nEND ON\n"},
		{"a lexer error", "c.bas", "ON WEBHOOK GET TO \"/c\" DO\n  PRINT \"open\nEND ON\n"},
		{"fixed", "c.bas", route("/c")},
		{"a new file", "d.bas", route("/d")},
		{"a duplicate route", "d.bas", route("/c")},
		{"the duplicate fixed", "d.bas", route("/d")},
		{"the parameter removed", "b.bas", "FUNCTION GREETING TEXT\n  RETURN \"hi\"\nEND FUNCTION\n"},
		{"a schedule", "e.bas", "ON SCHEDULE \"@every 1s\" DO\n  X = 1\nEND ON\n"},
		{"regression: a kept file keeps its schedule", "c.bas", route("/c") + route("/c4")},
	} {
		t.Run(step.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, step.file), []byte(step.text), 0o644); err != nil {
				t.Fatal(err)
			}
			loadBoth(t, l, dir)
		})
	}
	t.Run("a file removed", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "d.bas")); err != nil {
			t.Fatal(err)
		}
		loadBoth(t, l, dir)
		if _, ok := l.cache[filepath.Join(dir, "d.bas")]; ok {
			t.Error("the cache keeps a removed file")
		}
	})
}

// A save re-parses the saved file only; the others' parses are reused.
func TestLoaderReparsesOnlyChangedFiles(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.bas": route("/a"), "b.bas": route("/b")})
	l := NewLoader([]string{dir}, testTable)
	loadBoth(t, l, dir)
	a, b := l.cache[filepath.Join(dir, "a.bas")], l.cache[filepath.Join(dir, "b.bas")]
	if err := os.WriteFile(filepath.Join(dir, "b.bas"), []byte(route("/b2")), 0o644); err != nil {
		t.Fatal(err)
	}
	loadBoth(t, l, dir)
	if l.cache[filepath.Join(dir, "a.bas")] != a {
		t.Error("a.bas was parsed again though it did not change")
	}
	if l.cache[filepath.Join(dir, "b.bas")] == b {
		t.Error("b.bas was not parsed again though it changed")
	}
}

// A save checks again only the saved file and the files that call its SUBs
// and FUNCTIONs; the new program shares the others' checked files with the
// last one, unwritten, and every call reaches the new program's procs.
func TestLoaderSharesCheckedFilesNotReachingTheSavedOne(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.bas": greetingUser, // calls b.bas's FUNCTION
		"b.bas": "FUNCTION GREETING TEXT\n  RETURN \"hi\"\nEND FUNCTION\n",
		"c.bas": route("/c"),
		"d.bas": "SUB NOTE(X)\n  LOG X\nEND SUB\nON WEBHOOK GET TO \"/d\" DO\n  NOTE 1\nEND ON\n",
	})
	l := NewLoader([]string{dir}, testTable)
	first := loadBoth(t, l, dir)
	before := map[string]*File{}
	for _, f := range first.Files {
		c, ok := cloneFile(f)
		if !ok {
			t.Fatal("cloneFile failed")
		}
		before[f.Name] = c
	}
	// The FUNCTION's body changes, not its name: b.bas and its caller a.bas are checked again.
	if err := os.WriteFile(filepath.Join(dir, "b.bas"), []byte("FUNCTION GREETING TEXT\n  RETURN \"hello\"\nEND FUNCTION\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := loadBoth(t, l, dir)
	for i, f := range second.Files {
		shared := f == first.Files[i]
		if want := f.Name != filepath.Join(dir, "a.bas") && f.Name != filepath.Join(dir, "b.bas"); shared != want {
			t.Errorf("%s: shared with the last program %v, want %v", f.Name, shared, want)
		}
		if shared && !reflect.DeepEqual(f, before[f.Name]) {
			t.Errorf("%s: the shared checked file was written to", f.Name)
		}
	}
	for _, call := range procCalls(second) {
		if call.Proc != second.Procs[call.Name] {
			t.Errorf("the call of %s at %s reaches a SUB or FUNCTION of another program", call.Name, call.P)
		}
	}
}

// procCalls finds every call of a SUB or FUNCTION in prog's files.
func procCalls(prog *Program) []*CallExpr {
	var out []*CallExpr
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if v.Type() == reflect.TypeFor[*CallExpr]() && (*CallExpr)(v.UnsafePointer()).Proc != nil {
				c := (*CallExpr)(v.UnsafePointer())
				out = append(out, c)
				for _, a := range c.Args {
					walk(reflect.ValueOf(a))
				}
				return // not into the callee
			}
			walk(v.Elem())
		case reflect.Interface:
			walk(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	for _, f := range prog.Files {
		walk(reflect.ValueOf(f))
	}
	return out
}

// The checker writes slots, frames and call targets into what it checks; the
// kept parses must stay as a fresh parse leaves them.
func TestLoaderCheckDoesNotWriteKeptParses(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.bas": greetingUser,
		"b.bas": "FUNCTION GREETING TEXT\n  LET S$ = \"h\" + \"i\" & -(1 + 2)\n  RETURN S$ + LEN(\"x\" + S$)\nEND FUNCTION\n"})
	l := NewLoader([]string{dir}, testTable)
	loadBoth(t, l, dir)
	loadBoth(t, l, dir)
	srcs, err := readDirs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	parsed := uncheckedParses(t, srcs)
	for name, e := range l.cache {
		if !reflect.DeepEqual(e.file, parsed[name]) {
			t.Errorf("%s: the kept parse was written to", name)
		}
	}
}

// uncheckedParses parses srcs as a load does, without checking.
func uncheckedParses(t *testing.T, srcs []Source) map[string]*File {
	entries := make([]*parsedFile, len(srcs))
	toks := make([][]lexer.Token, len(srcs))
	for i, s := range srcs {
		var lexErr *Error
		if toks[i], lexErr = scan(s.Name, s.Text); lexErr != nil {
			t.Fatal(lexErr)
		}
		entries[i] = &parsedFile{headers: scanHeaders(toks[i])}
	}
	pt, _ := phrases(testTable, entries)
	out := map[string]*File{}
	for i, s := range srcs {
		f, errs := parseFile(s.Name, toks[i], pt)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		out[s.Name] = f
	}
	return out
}

// cloneFile knows every node of every test script (a node type it does not
// know would make the Loader re-parse that file on each load), copies it
// exactly, and shares nothing the checker writes with the original.
func TestCloneFileCopiesEveryNode(t *testing.T) {
	files, err := filepath.Glob("../testdata/*/*.bas")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			toks, lexErr := scan(path, text)
			if lexErr != nil {
				t.Skip("does not lex") // bad-* scripts; nothing to clone
			}
			f, _ := parseFile(path, toks, phraseTable{})
			if f == nil {
				t.Skip("does not parse")
			}
			c, ok := cloneFile(f)
			if !ok {
				t.Fatal("cloneFile met a node type it does not know")
			}
			if !reflect.DeepEqual(c, f) {
				t.Fatal("the copy differs")
			}
			orig := map[uintptr]bool{}
			addrs(reflect.ValueOf(f), orig)
			copied := map[uintptr]bool{}
			addrs(reflect.ValueOf(c), copied)
			for p := range copied {
				if orig[p] {
					t.Fatalf("the copy shares %#x with the original", p)
				}
			}
		})
	}
}

// shareable are the types a clone may share: nothing writes them after the
// converter (literal-only expressions, and their operand lists).
var shareable = map[reflect.Type]bool{
	reflect.TypeOf(&handlerSrc{}): true, reflect.TypeOf(&StrLit{}): true, reflect.TypeOf(&NumLit{}): true,
	reflect.TypeOf(&Unary{}): true, reflect.TypeOf(&Binary{}): true, reflect.TypeOf([]Expr{}): true,
}

// addrs collects the pointers and slice arrays reachable from v, except
// those of shareable types (whose contents are still walked).
func addrs(v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		if !shareable[v.Type()] {
			seen[v.Pointer()] = true
		}
		addrs(v.Elem(), seen)
	case reflect.Interface:
		if !v.IsNil() {
			addrs(v.Elem(), seen)
		}
	case reflect.Slice:
		if v.Cap() > 0 && !shareable[v.Type()] {
			seen[v.Pointer()] = true
		}
		for i := 0; i < v.Len(); i++ {
			addrs(v.Index(i), seen)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			addrs(v.Field(i), seen)
		}
	}
}

// FuzzLoaderMatchesCheckSources: whatever two files say, and however the
// second is edited, loading through the cache gives what a fresh check gives.
func FuzzLoaderMatchesCheckSources(f *testing.F) {
	f.Add(greetingUser, "FUNCTION GREETING TEXT\n  RETURN \"hi\"\nEND FUNCTION\n",
		"FUNCTION GREETING(T$)\n  RETURN T$\nEND FUNCTION\n")
	f.Add(route("/a"), route("/b"), route("/a"))
	f.Add("SUB S(X)\n  LOG X + 1 & \"a\"\nEND SUB\n", "ON WEBHOOK POST TO \"/s\" DO\n  CALL S(2)\nEND ON\n", "x = (")
	f.Fuzz(func(t *testing.T, a, b, edited string) {
		cache := map[string]*parsedFile{}
		var checked map[string]*checkedFile
		for _, text := range []string{b, edited, b} {
			srcs := []Source{{Name: "a.bas", Text: []byte(a)}, {Name: "b.bas", Text: []byte(text)}}
			got, next, nextChecked, gotErr := checkSources(srcs, testTable, cache, checked)
			cache = next
			if gotErr == nil {
				checked = nextChecked
			}
			want, wantErr := CheckSources(srcs, testTable)
			if errText(gotErr) != errText(wantErr) {
				t.Fatalf("cached: %v\nfresh: %v", gotErr, wantErr)
			}
			if want != nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("cached and fresh programs differ:\n%s\n---\n%s", dump(got), dump(want))
			}
		}
	})
}
