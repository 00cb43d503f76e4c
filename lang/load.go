package lang

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Source is one script's name and text.
type Source struct {
	Name string
	Text []byte
}

// LoadDir reads every .bas file directly inside dir and checks them together.
// Positions name files as dir/file.bas. The error, if any, is an ErrorList.
func LoadDir(dir string, table []Builtin) (*Program, error) {
	return LoadDirs([]string{dir}, table)
}

// LoadDirs checks the scripts of several directories as one program.
func LoadDirs(dirs []string, table []Builtin) (*Program, error) {
	var srcs []Source
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || !IsScriptName(e.Name()) {
				continue
			}
			path := filepath.Join(dir, e.Name())
			text, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, Source{Name: path, Text: text})
		}
	}
	return CheckSources(srcs, table)
}

// IsScriptName reports whether a file name is a script (and not an editor's
// temporary or hidden file).
func IsScriptName(name string) bool {
	return strings.HasSuffix(name, ".bas") && !strings.HasPrefix(name, ".")
}

// CheckSources parses and checks a set of scripts as one program: SUB and
// FUNCTION names are global across them. Every problem is reported at once,
// as an ErrorList sorted by position; on any problem the program is nil.
func CheckSources(srcs []Source, table []Builtin) (*Program, error) {
	srcs = append([]Source(nil), srcs...)
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Name < srcs[j].Name })
	var errs ErrorList
	toks := make([][]lexer.Token, len(srcs))
	pt := phraseTable{}
	for _, b := range table {
		pt.add(b.Name, b.MaxArgs == 0)
	}
	for i, s := range srcs {
		t, err := tokenize(s.Name, s.Text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		toks[i] = t
		for _, h := range scanHeaders(t) {
			pt.add(h.name, h.params == 0)
		}
	}
	var files []*File
	broken := false
	for i, s := range srcs {
		if toks[i] == nil {
			broken = true
			continue
		}
		f, ferrs := parseFile(s.Name, toks[i], pt)
		errs = append(errs, ferrs...)
		if f == nil {
			broken = true
			continue
		}
		files = append(files, f)
	}
	prog, cerrs := checkProgram(files, table)
	if broken {
		cerrs = dropUnknownNames(cerrs)
	}
	errs = append(errs, cerrs...)
	if len(errs) > 0 {
		return nil, errs.errOrNil()
	}
	return prog, nil
}

func parseFile(name string, toks []lexer.Token, pt phraseTable) (*File, ErrorList) {
	if errs := checkStructure(toks); len(errs) > 0 {
		return nil, errs
	}
	g, perr := parseTokens(mergeCalls(toks, pt))
	if perr != nil {
		return nil, ErrorList{perr}
	}
	c := &converter{file: name}
	f := c.file_(g)
	return f, c.errs
}

// dropUnknownNames hides "unknown name" errors when some file did not parse:
// its SUBs and FUNCTIONs are missing, and its own error is the one to fix.
func dropUnknownNames(errs ErrorList) ErrorList {
	out := errs[:0]
	for _, e := range errs {
		if !strings.HasPrefix(e.Msg, "unknown name ") {
			out = append(out, e)
		}
	}
	return out
}
