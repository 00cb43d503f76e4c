package lang

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/alecthomas/participle/v2/lexer"
)

// Source is one script's name and text.
type Source struct {
	Name string
	Text []byte
}

// LoadDirs reads every script under each directory, subdirectories
// included, and checks them all as one program. Positions name files by
// their path under the directory they were found in, as dir/sub/file.bas.
// Names SkipName rejects are passed over, directories too. A problem in the
// scripts is reported as an ErrorList.
func LoadDirs(dirs []string, table []Builtin) (*Program, error) {
	srcs, err := readDirs(dirs)
	if err != nil {
		return nil, err
	}
	return CheckSources(srcs, table)
}

// readDirs reads the scripts under each directory.
func readDirs(dirs []string) ([]Source, error) {
	var srcs []Source
	for _, dir := range dirs {
		found, err := readScripts(dir)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, found...)
	}
	return srcs, nil
}

// readScripts reads the scripts under dir. Symbolic links are followed for
// dir itself and for files (a Kubernetes ConfigMap mounts its files that
// way); links to directories under it are not, so a link loop cannot trap
// the walk, and the watcher sees the same tree.
func readScripts(dir string) ([]Source, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: dir, Err: syscall.ENOTDIR}
	}
	fsys := os.DirFS(dir)
	var srcs []Source
	err = fs.WalkDir(fsys, ".", func(rel string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return fullPath(dir, err)
		case rel == ".":
			return nil
		case SkipName(d.Name()):
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case d.IsDir() || !IsScriptName(d.Name()):
			return nil
		}
		text, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return fullPath(dir, err)
		}
		srcs = append(srcs, Source{Name: filepath.Join(dir, filepath.FromSlash(rel)), Text: text})
		return nil
	})
	return srcs, err
}

// fullPath makes a path error from os.DirFS name its file under dir, as the
// scripts' positions do.
func fullPath(dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = filepath.Join(dir, filepath.FromSlash(pe.Path))
	}
	return err
}

// IsScriptName reports whether a file name is a script the loader reads: a
// .bas file that SkipName does not reject.
func IsScriptName(name string) bool {
	return strings.HasSuffix(name, ".bas") && !SkipName(name)
}

// SkipName reports whether a file or directory name is hidden or an editor's
// or tool's temporary: neither the loader nor the watcher looks at it. This is
// the one place that decides. It covers .* (hidden files and directories, vim's
// .x.swp), backups (x~), x.swp, x.swx, x.tmp, vim's 4913 write probe and
// sed -i's sedXXXXXX.
func SkipName(name string) bool {
	switch {
	case strings.HasPrefix(name, "."), strings.HasSuffix(name, "~"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"),
		strings.HasSuffix(name, ".tmp"), name == "4913":
		return true
	case strings.HasPrefix(name, "sed") && len(name) == 9 && !strings.Contains(name, "."):
		return true
	}
	return false
}

// CheckSources parses and checks a set of scripts as one program: SUB and
// FUNCTION names are global across them. Every problem is reported at once,
// as an ErrorList sorted by position; on any problem the program is nil.
func CheckSources(srcs []Source, table []Builtin) (*Program, error) {
	prog, _, _, err := checkSources(srcs, table, nil, nil)
	return prog, err
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
