package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// usageError is a problem the user fixes before anything runs (a missing
// directory, a bad flag value): one line on stderr, exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func usagef(format string, args ...any) error { return usageError(fmt.Sprintf(format, args...)) }

// absPath names a path the way the user can find it, whatever the working directory.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// checkScriptsDir is the one check every command makes of a scripts directory.
func checkScriptsDir(dir string) error {
	fi, err := os.Stat(dir)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usagef("scripts directory %s does not exist", absPath(dir))
	case errors.As(err, &pe):
		return usagef("scripts directory %s: %v", absPath(dir), pe.Err)
	case err != nil:
		return usagef("scripts directory %s: %v", absPath(dir), err)
	case !fi.IsDir():
		return usagef("scripts directory %s is not a directory", absPath(dir))
	}
	return nil
}

// scriptDirs is the directories check and routes read: ./scripts when none is given.
func scriptDirs(dirs []string) ([]string, error) {
	if len(dirs) == 0 {
		dirs = []string{"scripts"}
	}
	for _, d := range dirs {
		if err := checkScriptsDir(d); err != nil {
			return nil, err
		}
	}
	return dirs, nil
}

// checkWritable creates dir if needed and a file in it, so that a data
// directory nobody can write fails at start-up, not on the first SEND.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return usagef("data directory %s is not writable: %v", absPath(dir), err)
	}
	f, err := os.CreateTemp(dir, ".gbhook-write-check-*")
	if err != nil {
		return usagef("data directory %s is not writable: %v", absPath(dir), err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// validate refuses settings that could only fail later: every check reads
// one line naming the flag and its environment variable.
func (c *ServeCmd) validate() error {
	if c.HandlerTimeout <= 0 {
		return usagef("--handler-timeout (GBHOOK_HANDLER_TIMEOUT) must be positive, got %v", c.HandlerTimeout)
	}
	if c.MaxSteps <= 0 {
		return usagef("--max-steps (GBHOOK_MAX_STEPS) must be positive, got %d", c.MaxSteps)
	}
	if c.HistoryMax < 0 {
		return usagef("--history-max (GBHOOK_HISTORY_MAX) must be 0 (no history) or more, got %d", c.HistoryMax)
	}
	if err := checkScriptsDir(c.Scripts); err != nil {
		return err
	}
	return checkWritable(c.Data)
}

// VersionCmd is `gbhook version`, the same text as `gbhook --version`.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run() error {
	fmt.Println(versionText(debug.ReadBuildInfo()))
	return nil
}

// versionText is the module version, then the VCS revision, its time and
// whether the tree had uncommitted changes, as the go command stamped them.
func versionText(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "gbhook (unknown version)\nrevision unknown (built without module support)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		return "gbhook " + bi.Main.Version + "\nrevision unknown (built without VCS information)"
	}
	var details []string
	if t := settings["vcs.time"]; t != "" {
		details = append(details, t)
	}
	if settings["vcs.modified"] == "true" {
		details = append(details, "modified")
	}
	if len(details) > 0 {
		rev += " (" + strings.Join(details, ", ") + ")"
	}
	return "gbhook " + bi.Main.Version + "\nrevision " + rev
}
