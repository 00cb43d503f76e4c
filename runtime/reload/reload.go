// Package reload watches a scripts directory and its subdirectories and swaps
// in a newly checked program, keeping the last good one when a save breaks
// the check, waiting a little when a save removes routes, and never going
// quiet when the directory itself goes away.
package reload

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gbhook/gbhook/lang"
)

// Defaults of the Watcher's durations.
const (
	// DefaultDebounce is how long the directory must stay quiet before a
	// reload: one save is several events (truncate, write, rename, chmod).
	DefaultDebounce = 150 * time.Millisecond
	// DefaultSettle is the extra wait before a save that removes routes goes
	// live: a truncate is a valid program with no routes, and the write that
	// follows it may come a few hundred milliseconds later.
	DefaultSettle = time.Second
	// DefaultPoll is how often the directory's identity is checked, and how
	// often a lost directory is looked for.
	DefaultPoll = 500 * time.Millisecond
)

// Candidate is a checked program ready to serve but not serving yet.
type Candidate struct {
	Program *lang.Program
	Commit  func() // makes Program serve new requests
}

// Watcher reloads the program whenever a script under Dir changes.
type Watcher struct {
	Dir string
	// Load parses and checks every script and prepares the result without
	// serving it. It returns a lang.ErrorList when the check fails.
	Load func() (Candidate, error)
	// Serving is the program the caller loaded before Run. Each candidate is
	// compared with the program serving to find the routes it would remove.
	Serving  *lang.Program
	Logger   *slog.Logger  // default slog.Default()
	Debounce time.Duration // default DefaultDebounce
	Settle   time.Duration // default DefaultSettle
	Poll     time.Duration // default DefaultPoll

	once   sync.Once
	reload chan struct{}
}

func (w *Watcher) init() {
	w.once.Do(func() { w.reload = make(chan struct{}, 1) })
}

// Reload asks Run to reload now, as SIGHUP does: no debounce, and the result
// goes live at once even if it removes routes (the operator says the edit is
// done). It never blocks; requests made while one is pending merge.
func (w *Watcher) Reload() {
	w.init()
	select {
	case w.reload <- struct{}{}:
	default:
	}
}

// Run watches Dir until ctx ends, then returns nil. It does not load at
// start: the caller loads first, so that a broken directory can stop the
// program before it serves anything. Problems while watching are logged, not
// returned: losing the directory is an ERROR line, and the watch comes back
// with the directory.
func (w *Watcher) Run(ctx context.Context) error {
	w.init()
	s := w.newState()
	defer s.detach()
	if err := s.attach(); err != nil {
		s.lost(err.Error())
		s.lastAttachErr = err.Error()
	}
	poll := time.NewTicker(s.poll)
	defer poll.Stop()
	for {
		events, errs := s.channels()
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				s.lostWatch(errors.New("reload: watcher closed"))
				continue
			}
			s.event(ev)
		case err, ok := <-errs:
			if !ok {
				s.lostWatch(errors.New("reload: watcher closed"))
				continue
			}
			// An overflow loses events: look again at everything.
			s.log.Warn("watching scripts", "dir", s.root, "err", err)
			s.resync()
			s.changed()
		case <-poll.C:
			s.checkDir()
		case <-s.debounce.C:
			s.load(true)
		case <-s.settle.C:
			// Load again rather than commit the held program: a save whose
			// event is not read yet is on disk already.
			s.load(false)
		case <-w.reload:
			s.log.Info("reloading scripts on request", "dir", s.root)
			s.resync()
			s.load(false)
		}
	}
}

// load prepares a candidate and commits it, or, when it removes routes and
// settle is allowed, holds off for the settle time.
func (s *state) load(settle bool) {
	s.stopTimers()
	c, err := s.w.Load()
	if err != nil {
		s.logProblems(err)
		return
	}
	removed := RemovedRoutes(s.serving, c.Program)
	if settle && len(removed) > 0 {
		s.holding = true
		s.settle.Reset(s.settleFor)
		s.log.Info("save removes routes; waiting before it goes live",
			"dir", s.root, "routes", strings.Join(removed, ", "), "settle", s.settleFor)
		return
	}
	s.commit(c)
}

func (s *state) commit(c Candidate) {
	c.Commit()
	s.serving = c.Program
	s.log.Info("scripts reloaded", "dir", s.root)
}

// logProblems logs a failed load, one line per problem: lang.ErrorList
// prints a problem a line.
func (s *state) logProblems(err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		s.log.Error("script problem", "problem", line)
	}
	s.log.Error("reload failed; still serving the last good program", "dir", s.root)
}

// RemovedRoutes lists, sorted, the routes ("GET /a/:id") that old serves and
// next does not. A route whose parameters are renamed is the same route.
func RemovedRoutes(old, next *lang.Program) []string {
	if old == nil {
		return nil
	}
	key := func(h *lang.Handler) string { return h.Method + " " + lang.RouteKey(h.Segments) }
	kept := map[string]bool{}
	if next != nil {
		for _, h := range next.Handlers {
			kept[key(h)] = true
		}
	}
	var removed []string
	for _, h := range old.Handlers {
		if !kept[key(h)] {
			removed = append(removed, h.Method+" "+h.Path)
		}
	}
	sort.Strings(removed)
	return removed
}

// relevantName tells the names whose change can change the program: scripts,
// and the ..data symlink a Kubernetes ConfigMap swaps (the scripts are links
// through it). Directories are handled by the watcher itself.
func relevantName(path string) bool {
	name := filepath.Base(path)
	return name == "..data" || lang.IsScriptName(name)
}
