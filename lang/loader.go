package lang

import (
	"crypto/sha256"
	"slices"
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
	dirs    []string
	table   []Builtin
	mu      sync.Mutex
	cache   map[string]*parsedFile
	checked map[string]*checkedFile // the files of the last program that checked
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
	prog, next, checked, err := checkSources(srcs, l.table, l.cache, l.checked)
	l.cache = next
	if err == nil {
		l.checked = checked
	}
	return prog, err
}

// checkedFile is a file of a program that checked: the parse it was copied
// from, the checked copy, and the SUBs and FUNCTIONs its calls reach. Checked
// copies are never written again, so a later program may share one
// (reusable), and the runtime the code it compiled for it.
type checkedFile struct {
	parse *parsedFile
	file  *File
	calls []string
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
// holds every file of srcs. With checked (nil: none), the files of an earlier
// program, a file that reusable finds unchanged, with all it calls, is taken
// as it was checked; the returned map holds the new program's files.
func checkSources(srcs []Source, table []Builtin, cache map[string]*parsedFile, checked map[string]*checkedFile) (*Program, map[string]*parsedFile, map[string]*checkedFile, error) {
	srcs = append([]Source(nil), srcs...)
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Name < srcs[j].Name })
	entries := parseSources(srcs, table, cache)
	n := len(srcs)
	kept := reusable(entries, checked)
	files := make([]*File, n)
	inPlace := make([]bool, n) // checked in place: not reusable
	parallel(n, func(i int) {
		files[i] = entries[i].file
		switch {
		case kept[i] != nil:
			files[i] = kept[i].file
		case cache != nil && files[i] != nil:
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
	prog, calls, err := checkParsed(entries, files, table, kept)
	if err != nil {
		if slices.ContainsFunc(kept, func(k *checkedFile) bool { return k != nil }) {
			// Check everything afresh: the problems are then exactly a fresh load's.
			return checkSources(srcs, table, next, nil)
		}
		return nil, next, nil, err
	}
	nextChecked := map[string]*checkedFile{}
	for i, e := range entries {
		switch {
		case kept[i] != nil:
			nextChecked[e.name] = kept[i]
		case !inPlace[i]:
			nextChecked[e.name] = &checkedFile{parse: e, file: files[i], calls: calls[i]}
		}
	}
	return prog, next, nextChecked, nil
}

// parseSources lexes and parses srcs (sorted), each file reusing its cached
// parse when its text and the phrase table are unchanged.
func parseSources(srcs []Source, table []Builtin, cache map[string]*parsedFile) []*parsedFile {
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
		entries[i], toks[i] = &e, nil // the tokens are garbage now, not live until the load ends
	})
	return entries
}

// reusable finds the files of an earlier program (checked) that this one can
// share as they were checked: same parse (so same text and phrase table),
// no ON SCHEDULE (ParseCron's result is written at check), and every SUB or
// FUNCTION its calls reach defined in a file shared as well, so that its
// call targets are this program's. Anything else about the program that
// could change its check is a problem, and a program with problems is
// checked afresh (checkSources).
func reusable(entries []*parsedFile, checked map[string]*checkedFile) []*checkedFile {
	kept := make([]*checkedFile, len(entries))
	if checked == nil {
		return kept
	}
	definedIn := map[string]int{}
	for i, e := range entries {
		if e.file == nil {
			continue
		}
		for _, p := range e.file.Procs {
			definedIn[p.Name] = i
		}
		if c := checked[e.name]; c != nil && c.parse == e && len(e.file.Schedules) == 0 {
			kept[i] = c
		}
	}
	for changed := true; changed; {
		changed = false
		for i, c := range kept {
			if c == nil {
				continue
			}
			for _, name := range c.calls {
				if j, ok := definedIn[name]; !ok || kept[j] == nil {
					kept[i], changed = nil, true
					break
				}
			}
		}
	}
	return kept
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
// reported. kept are the files shared with an earlier program (reusable).
func checkParsed(entries []*parsedFile, files []*File, table []Builtin, kept []*checkedFile) (*Program, [][]string, error) {
	var errs ErrorList
	for _, e := range entries {
		if e.lexErr != nil {
			errs = append(errs, e.lexErr)
		}
	}
	var ok []*File
	var okIndex []int
	keptFiles := map[*File]bool{}
	unparsed := map[string]bool{}
	for i, f := range files {
		errs = append(errs, entries[i].errs...)
		if f != nil {
			ok = append(ok, f)
			okIndex = append(okIndex, i)
			if kept[i] != nil {
				keptFiles[f] = true
			}
			continue
		}
		for _, h := range entries[i].headers {
			unparsed[h.name] = true
		}
	}
	prog, okCalls, cerrs := checkProgram(ok, table, unparsed, keptFiles)
	errs = append(errs, cerrs...)
	if len(errs) > 0 {
		return nil, nil, errs.errOrNil()
	}
	calls := make([][]string, len(files))
	for k, i := range okIndex {
		calls[i] = okCalls[k]
	}
	return prog, calls, nil
}
