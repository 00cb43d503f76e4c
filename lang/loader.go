package lang

import (
	"crypto/sha256"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"
)

// Loader loads the scripts under its directories as LoadDirs does, again and
// again: it keeps each file's parse, keyed by file name and content hash, so
// a load after a save re-parses only the files that changed (participle's
// reflection is most of a load's time and memory). Every load still checks
// the whole program, on copies, so the kept parses are never written to.
// When a save changes the SUB and FUNCTION names (which steer how every file
// parses its calls), every file is parsed again. Safe for concurrent use.
type Loader struct {
	dirs  []string
	table []Builtin
	mu    sync.Mutex
	cache map[string]*parsedFile
}

// NewLoader makes a Loader of dirs checked against table.
func NewLoader(dirs []string, table []Builtin) *Loader {
	return &Loader{dirs: dirs, table: table}
}

// Load reads every script and returns the checked program, or an ErrorList
// of every problem, as LoadDirs.
func (l *Loader) Load() (*Program, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	srcs, err := readDirs(l.dirs)
	if err != nil {
		return nil, err
	}
	if l.cache == nil {
		l.cache = map[string]*parsedFile{}
	}
	prog, next, err := checkSources(srcs, l.table, l.cache)
	l.cache = next
	return prog, err
}

// parsedFile is what one file's text gave the lexer and the parser.
type parsedFile struct {
	name    string
	sum     [sha256.Size]byte
	lexErr  *Error
	headers []procHeader
	parsed  bool   // file and errs are set
	phrases string // the phrase-table key the parse used
	file    *File  // as the parser left it; nil if it did not parse
	errs    ErrorList
}

// checkSources parses and checks srcs, in name order, as one program. With
// a cache (nil: none) a file whose name, text and phrase table are unchanged
// reuses its parse, and the program is checked on copies; the returned cache
// holds every file of srcs.
func checkSources(srcs []Source, table []Builtin, cache map[string]*parsedFile) (*Program, map[string]*parsedFile, error) {
	srcs = append([]Source(nil), srcs...)
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Name < srcs[j].Name })
	n := len(srcs)
	entries := make([]*parsedFile, n)
	toks := make([][]lexer.Token, n)
	parallel(n, func(i int) {
		e := &parsedFile{name: srcs[i].Name}
		if cache != nil {
			e.sum = sha256.Sum256(srcs[i].Text)
			if old := cache[e.name]; old != nil && old.sum == e.sum {
				entries[i] = old
				return
			}
		}
		toks[i], e.lexErr = scan(srcs[i].Name, srcs[i].Text)
		if e.lexErr == nil {
			e.headers = scanHeaders(toks[i])
		}
		entries[i] = e
	})
	pt, key := phrases(table, entries)
	parallel(n, func(i int) {
		old := entries[i]
		if old.lexErr != nil || (old.parsed && old.phrases == key) {
			return
		}
		e := *old // a cached entry is not written: copy it
		if toks[i] == nil {
			toks[i], _ = scan(srcs[i].Name, srcs[i].Text) // lexed fine before
		}
		e.file, e.errs = parseFile(e.name, toks[i], pt)
		e.parsed, e.phrases = true, key
		entries[i] = &e
	})
	files := make([]*File, n)
	inPlace := make([]bool, n) // checked in place: not reusable
	parallel(n, func(i int) {
		files[i] = entries[i].file
		if cache != nil && files[i] != nil {
			if c, ok := cloneFile(files[i]); ok {
				files[i] = c
			} else {
				inPlace[i] = true
			}
		}
	})
	next := map[string]*parsedFile{}
	for i, e := range entries {
		if !inPlace[i] {
			next[e.name] = e
		}
	}
	prog, err := checkParsed(entries, files, table)
	return prog, next, err
}

// phrases is the table of call names (builtins, then every SUB and FUNCTION
// header) and a key that changes whenever the headers do.
func phrases(table []Builtin, entries []*parsedFile) (phraseTable, string) {
	pt := phraseTable{}
	for _, b := range table {
		pt.add(b.Name, b.MaxArgs == 0)
	}
	var key strings.Builder
	for _, e := range entries {
		for _, h := range e.headers {
			pt.add(h.name, h.params == 0)
			key.WriteString(h.name)
			if h.params == 0 {
				key.WriteString("()")
			}
			key.WriteByte(0)
		}
	}
	return pt, key.String()
}

// checkParsed collects the lex and parse problems of every file and checks
// the files that parsed; calls to SUBs of files that did not are not
// reported.
func checkParsed(entries []*parsedFile, files []*File, table []Builtin) (*Program, error) {
	var errs ErrorList
	for _, e := range entries {
		if e.lexErr != nil {
			errs = append(errs, e.lexErr)
		}
	}
	var ok []*File
	unparsed := map[string]bool{}
	for i, f := range files {
		errs = append(errs, entries[i].errs...)
		if f != nil {
			ok = append(ok, f)
			continue
		}
		for _, h := range entries[i].headers {
			unparsed[h.name] = true
		}
	}
	prog, cerrs := checkProgram(ok, table, unparsed)
	errs = append(errs, cerrs...)
	if len(errs) > 0 {
		return nil, errs.errOrNil()
	}
	return prog, nil
}
