package reload

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gbhook/gbhook/lang"
)

// state is Run's own: only Run's goroutine touches it, so nothing is locked.
type state struct {
	w                      *Watcher
	log                    *slog.Logger
	root                   string
	debounceFor, settleFor time.Duration
	poll                   time.Duration
	debounce, settle       *time.Timer
	serving                *lang.Program
	holding                bool // a removal waits for the settle
	fw                     *fsnotify.Watcher
	rootInfo               os.FileInfo // what fw watches, to notice a swap
	dirs                   map[string]bool
	isDetached             bool
	lastAttachErr          string // logged once, not every poll
}

func (w *Watcher) newState() *state {
	s := &state{w: w, log: w.Logger, root: filepath.Clean(w.Dir), serving: w.Serving,
		debounceFor: w.Debounce, settleFor: w.Settle, poll: w.Poll}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.debounceFor <= 0 {
		s.debounceFor = DefaultDebounce
	}
	if s.settleFor <= 0 {
		s.settleFor = DefaultSettle
	}
	if s.poll <= 0 {
		s.poll = DefaultPoll
	}
	s.debounce, s.settle = time.NewTimer(time.Hour), time.NewTimer(time.Hour)
	s.stopTimers()
	return s
}

// channels are fw's, or nil (never ready) while the directory is lost.
func (s *state) channels() (<-chan fsnotify.Event, <-chan error) {
	if s.fw == nil {
		return nil, nil
	}
	return s.fw.Events, s.fw.Errors
}

func (s *state) stopTimers() {
	s.debounce.Stop()
	s.settle.Stop()
	s.holding = false
}

// changed starts (or restarts) the debounce. A change during the settle
// cancels it: the next load starts from the new state.
func (s *state) changed() {
	if s.holding {
		s.log.Info("scripts changed again while waiting; starting over", "dir", s.root)
	}
	s.stopTimers()
	s.debounce.Reset(s.debounceFor)
}

// attach watches the directory and every subdirectory SkipName accepts.
// fsnotify does not recurse, and a watch on the directory (not on files)
// survives editors that rename a temporary file over a script.
func (s *state) attach() error {
	info, err := os.Stat(s.root)
	if err == nil && !info.IsDir() {
		err = errors.New("not a directory")
	}
	var fw *fsnotify.Watcher
	if err == nil {
		fw, err = fsnotify.NewWatcher()
	}
	if err == nil {
		if err = fw.Add(s.root); err != nil {
			fw.Close()
		}
	}
	if err != nil {
		return err
	}
	s.fw, s.rootInfo, s.dirs, s.lastAttachErr = fw, info, map[string]bool{s.root: true}, ""
	s.watchTree(s.root)
	if s.isDetached {
		s.log.Info("scripts directory is back; watching it again", "dir", s.root)
		s.changed() // it may hold anything now
	} else {
		s.log.Info("watching scripts", "dir", s.root)
	}
	s.isDetached = false
	return nil
}

// reattach is attach while lost: a failure other than "still missing" is
// logged once, not at every poll.
func (s *state) reattach() {
	err := s.attach()
	if err != nil && !errors.Is(err, fs.ErrNotExist) && err.Error() != s.lastAttachErr {
		s.log.Error("cannot watch scripts; retrying", "dir", s.root, "err", err)
		s.lastAttachErr = err.Error()
	}
}

// lost stops watching and says so at ERROR: until the directory is back, the
// last good program serves and saves are not seen.
func (s *state) lost(reason string) {
	s.detach()
	s.stopTimers()
	if !s.isDetached {
		s.log.Error("scripts directory lost; still serving the last good program, saves are not seen until it is back",
			"dir", s.root, "reason", reason)
	}
	s.isDetached = true
}

func (s *state) lostWatch(err error) {
	s.lost(err.Error())
	s.checkDir()
}

func (s *state) detach() {
	if s.fw != nil {
		s.fw.Close()
		s.fw, s.dirs, s.rootInfo = nil, nil, nil
	}
}

// checkDir runs every poll: while watching, it notices the directory gone or
// replaced without an event (a symbolic link re-pointed, a mount); while
// lost, it looks for the directory.
func (s *state) checkDir() {
	info, err := os.Stat(s.root)
	if s.fw != nil {
		switch {
		case err != nil:
			s.lost(err.Error())
		case !os.SameFile(info, s.rootInfo):
			s.replaced()
			return
		default:
			return
		}
	}
	if err == nil {
		s.reattach()
	}
}

// replaced moves the watch to the directory now at the path. Nothing was
// lost, so it is a warning; the new directory may hold anything.
func (s *state) replaced() {
	s.detach()
	s.stopTimers()
	s.log.Warn("scripts directory replaced; watching the new one", "dir", s.root)
	if err := s.attach(); err != nil {
		s.lost(err.Error())
		s.lastAttachErr = err.Error()
		return
	}
	s.changed()
}

// event reacts to one fsnotify event.
func (s *state) event(ev fsnotify.Event) {
	const ops = fsnotify.Create | fsnotify.Write | fsnotify.Rename | fsnotify.Remove
	if !ev.Op.Has(ops) {
		return // Chmod only
	}
	path := filepath.Clean(ev.Name)
	if path == s.root {
		if ev.Op.Has(fsnotify.Remove | fsnotify.Rename) {
			s.lost("moved or deleted")
			s.checkDir() // it may be back already
		}
		return
	}
	if lang.SkipName(filepath.Base(path)) && !relevantName(path) {
		return
	}
	switch {
	case ev.Op.Has(fsnotify.Create):
		if info, err := os.Lstat(path); err == nil && info.IsDir() {
			s.watchTree(path) // scripts may be in it already: the load walks it
			s.changed()
			return
		}
	case ev.Op.Has(fsnotify.Remove | fsnotify.Rename):
		if s.dirs[path] {
			s.unwatchTree(path)
			s.changed()
			return
		}
	}
	if relevantName(path) {
		s.changed()
	}
}

// watchTree adds a watch on dir and on every directory under it that
// SkipName accepts; the loader walks the same tree. Links to directories are
// not followed, by either.
func (s *state) watchTree(dir string) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil // gone already, or a file: the load will tell
		}
		if path != s.root && lang.SkipName(d.Name()) {
			return filepath.SkipDir
		}
		if s.dirs[path] && path != dir {
			return nil
		}
		if path != s.root {
			if err := s.fw.Add(path); err != nil {
				s.log.Error("cannot watch scripts subdirectory; its saves are not seen", "dir", path, "err", err)
				return filepath.SkipDir
			}
		}
		s.dirs[path] = true
		return nil
	})
}

// unwatchTree forgets dir and everything under it. inotify drops a deleted
// directory's watch itself, but a directory moved away keeps its watches, and
// its subdirectories' too.
func (s *state) unwatchTree(dir string) {
	for path := range s.dirs {
		if path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			if err := s.fw.Remove(path); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
				s.log.Warn("unwatching scripts subdirectory", "dir", path, "err", err)
			}
			delete(s.dirs, path)
		}
	}
}

// resync adds watches on directories that appeared unseen (after an overflow,
// or on request).
func (s *state) resync() {
	if s.fw != nil {
		s.watchTree(s.root)
	}
}
