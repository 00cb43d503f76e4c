package lang

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
	lexErrs := make([]*Error, len(srcs))
	parallel(len(srcs), func(i int) { toks[i], lexErrs[i] = scan(srcs[i].Name, srcs[i].Text) })
	pt := phraseTable{}
	for _, b := range table {
		pt.add(b.Name, b.MaxArgs == 0)
	}
	headers := make([][]procHeader, len(srcs))
	for i := range srcs {
		if lexErrs[i] != nil {
			errs = append(errs, lexErrs[i])
			continue
		}
		headers[i] = scanHeaders(toks[i])
		for _, h := range headers[i] {
			pt.add(h.name, h.params == 0)
		}
	}
	parsed := make([]*File, len(srcs))
	parseErrs := make([]ErrorList, len(srcs))
	parallel(len(srcs), func(i int) {
		if toks[i] != nil {
			parsed[i], parseErrs[i] = parseFile(srcs[i].Name, toks[i], pt)
		}
	})
	var files []*File
	unparsed := map[string]bool{} // SUB/FUNCTION names of files that did not parse
	for i := range srcs {
		errs = append(errs, parseErrs[i]...)
		if parsed[i] != nil {
			files = append(files, parsed[i])
			continue
		}
		for _, h := range headers[i] {
			unparsed[h.name] = true
		}
	}
	prog, cerrs := checkProgram(files, table, unparsed)
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

// parallel runs f(0..n-1) on every core: files are lexed and parsed
// independently (the parser is safe to share), and a reload should be quick.
func parallel(n int, f func(i int)) {
	workers := min(n, goruntime.GOMAXPROCS(0))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
}
