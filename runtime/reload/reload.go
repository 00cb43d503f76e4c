// Package reload watches a scripts directory and swaps in a newly checked
// program, keeping the last good one when a save breaks the check.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gbhook/gbhook/lang"
)

// DefaultDebounce is how long the directory must stay quiet before a reload:
// one save is several events (truncate, write, rename, chmod).
const DefaultDebounce = 150 * time.Millisecond

// Watcher reloads the program whenever a script in Dir changes.
type Watcher struct {
	Dir string
	// Load parses and checks every script, then swaps the result in. It
	// returns a lang.ErrorList when the check fails; it must leave the current
	// program serving on any error.
	Load     func() error
	Logger   *slog.Logger  // default slog.Default()
	Debounce time.Duration // default DefaultDebounce
}

// Run watches Dir until ctx ends (it then returns nil) or the watch fails.
// It does not load at start: the caller loads first, so that a broken
// directory can stop the program before it serves anything.
func (w *Watcher) Run(ctx context.Context) error {
	log := w.Logger
	if log == nil {
		log = slog.Default()
	}
	debounce := w.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	defer fw.Close()
	// The directory, not the files: a watch on a file is lost when an editor
	// renames a temp file over it.
	if err := fw.Add(w.Dir); err != nil {
		return fmt.Errorf("reload: watching %s: %w", w.Dir, err)
	}
	log.Info("watching scripts", "dir", w.Dir)

	// One timer for the whole directory, drained only from this goroutine, so
	// loads never overlap and a burst of events gives one load.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("reload: watcher closed")
			}
			if relevant(ev) {
				timer.Reset(debounce)
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return errors.New("reload: watcher closed")
			}
			// An overflow loses events: reload to be safe.
			log.Warn("watching scripts", "dir", w.Dir, "err", err)
			timer.Reset(debounce)
		case <-timer.C:
			w.load(log)
		}
	}
}

// load runs Load and logs its outcome, one line per problem.
func (w *Watcher) load(log *slog.Logger) {
	err := w.Load()
	if err == nil {
		log.Info("scripts reloaded", "dir", w.Dir)
		return
	}
	var list lang.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			log.Error("script problem", "problem", e.Error())
		}
	} else {
		for _, line := range strings.Split(err.Error(), "\n") {
			log.Error("script problem", "problem", line)
		}
	}
	log.Error("reload failed; still serving the last good program", "dir", w.Dir)
}

// relevant tells the events that can change the program: a script created,
// written, renamed or removed, or a Kubernetes ConfigMap swapping its
// ..data symlink (the scripts are links through it).
func relevant(ev fsnotify.Event) bool {
	const ops = fsnotify.Create | fsnotify.Write | fsnotify.Rename | fsnotify.Remove
	if !ev.Op.Has(ops) {
		return false // Chmod only
	}
	name := filepath.Base(ev.Name)
	if name == "..data" {
		return true
	}
	return lang.IsScriptName(name) && !isTemp(name)
}

// isTemp tells editor and tool temporaries: hidden files, backups, vim's
// swap files and 4913 probe, sed -i's sedXXXXXX.
func isTemp(name string) bool {
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
