package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/lang"
)

// TestCommandsFromAnyDirectory runs the binary as a user would, from a
// directory with no scripts/ (or with one, for the default), on absolute paths.
func TestCommandsFromAnyDirectory(t *testing.T) {
	empty, withScripts, bot := t.TempDir(), t.TempDir(), t.TempDir()
	copyScripts(t, bot)
	copyScripts(t, filepath.Join(withScripts, "scripts"))
	file := filepath.Join(bot, "twilio.bas")
	missing := filepath.Join(empty, "nobot")
	okLine := "ok: 5 handlers, 2 SUBs, 2 FUNCTIONs in 5 files\n"
	daily, err := lang.ParseCron("0 8 * * *")
	if err != nil {
		t.Fatal(err)
	}
	routes := "POST /webhooks/whatsapp/crm FROM WHATSAPP crm_lookup.bas:11\n" +
		"POST /twilio/voice FROM TWILIO twilio.bas:6\nPOST /twilio/gather FROM TWILIO twilio.bas:26\n" +
		"POST /webhooks/whatsapp FROM WHATSAPP whatsapp.bas:6\nGET /webhooks/whatsapp whatsapp.bas:31\n" +
		"SCHEDULE \"0 8 * * *\" daily_summary.bas:11 next " + daily.Next(time.Now()).Format(time.RFC3339) + "\n"
	serve := func(env ...string) []string {
		return append([]string{"GBHOOK_ADDR=" + freeAddr(t), "GBHOOK_DATA=" + filepath.Join(empty, "data")}, env...)
	}
	tests := []struct {
		name           string
		dir            string
		args, env      []string
		code           int
		stdout, stderr string
	}{
		{"check DIR", empty, []string{"check", bot}, nil, 0, okLine, ""},
		{"check with no argument reads ./scripts", withScripts, []string{"check"}, nil, 0, okLine, ""},
		{"check missing DIR", empty, []string{"check", missing}, nil, 2, "",
			"gbhook: scripts directory " + missing + " does not exist\n"},
		{"check second DIR missing", empty, []string{"check", bot, missing}, nil, 2, "",
			"gbhook: scripts directory " + missing + " does not exist\n"},
		{"check with no argument and no ./scripts", empty, []string{"check"}, nil, 2, "",
			"gbhook: scripts directory " + filepath.Join(empty, "scripts") + " does not exist\n"},
		{"check a file", empty, []string{"check", file}, nil, 2, "",
			"gbhook: scripts directory " + file + " is not a directory\n"},
		{"routes DIR", empty, []string{"routes", bot}, nil, 0, routes, ""},
		{"routes with no argument reads ./scripts", withScripts, []string{"routes"}, nil, 0, routes, ""},
		{"routes missing DIR", empty, []string{"routes", missing}, nil, 2, "",
			"gbhook: scripts directory " + missing + " does not exist\n"},
		{"serve with no ./scripts", empty, []string{"serve"}, serve(), 2, "",
			"gbhook: scripts directory " + filepath.Join(empty, "scripts") + " does not exist\n"},
		{"serve missing --scripts", empty, []string{"serve", "--scripts", missing}, serve(), 2, "",
			"gbhook: scripts directory " + missing + " does not exist\n"},
		{"serve data not writable", empty, []string{"serve", "--scripts", bot, "--data", file + "/data"}, serve(), 2, "",
			"gbhook: data directory " + file + "/data is not writable: mkdir " + file + ": not a directory\n"},
		{"serve zero handler timeout", empty, []string{"serve", "--scripts", bot},
			serve("GBHOOK_HANDLER_TIMEOUT=0s"), 2, "",
			"gbhook: --handler-timeout (GBHOOK_HANDLER_TIMEOUT) must be positive, got 0s\n"},
		{"serve negative handler timeout", empty, []string{"serve", "--scripts", bot, "--handler-timeout=-1s"},
			serve(), 2, "", "gbhook: --handler-timeout (GBHOOK_HANDLER_TIMEOUT) must be positive, got -1s\n"},
		{"serve zero max steps", empty, []string{"serve", "--scripts", bot, "--max-steps", "0"}, serve(), 2, "",
			"gbhook: --max-steps (GBHOOK_MAX_STEPS) must be positive, got 0\n"},
		{"serve negative history max", empty, []string{"serve", "--scripts", bot, "--history-max=-1"}, serve(), 2, "",
			"gbhook: --history-max (GBHOOK_HISTORY_MAX) must be 0 (no history) or more, got -1\n"},
		{"version", empty, []string{"version"}, nil, 0, wantVersion(t), ""},
		{"--version", empty, []string{"--version"}, nil, 0, wantVersion(t), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, tt.dir, tt.env, tt.args...)
			if code != tt.code || stdout != tt.stdout || stderr != tt.stderr {
				t.Errorf("gbhook %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s\nstderr:\n%s",
					strings.Join(tt.args, " "), code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestServeRefusesBadScripts: a first load with problems prints each one and
// the count, and exits 1 without serving.
func TestServeRefusesBadScripts(t *testing.T) {
	dir := t.TempDir()
	src := "ON WEBHOOK GET TO \"/a\" DO\n  PRINT Z$\nEND ON\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.bas"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runBinary(t, t.TempDir(), []string{"GBHOOK_ADDR=" + freeAddr(t)}, "serve", "--scripts", dir)
	want := filepath.Join(dir, "bad.bas") + ":2:9: variable Z$ is never assigned in ON WEBHOOK GET /a\n" +
		"1 problem(s); not serving\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1, stderr:\n%s", code, stdout, stderr, want)
	}
}

// runBinary runs gbhook in dir with a minimal environment plus env; a command
// that does not stop by itself fails the test.
func runBinary(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PWD=" + dir}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("gbhook %v did not stop; stderr:\n%s", args, stderr.String())
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

func copyScripts(t *testing.T, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../scripts/*.bas")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wantVersion reads what the go command stamped into the binary, as `go
// version -m` shows it, independently of the binary's own code.
func wantVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatal(err)
	}
	var mod string
	build := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(strings.TrimSpace(line), "\t")
		switch {
		case len(f) >= 3 && f[0] == "mod":
			mod = f[2]
		case len(f) == 2 && f[0] == "build":
			k, v, _ := strings.Cut(f[1], "=")
			build[k] = v
		}
	}
	if build["vcs.revision"] == "" {
		return "gbhook " + mod + "\nrevision unknown (built without VCS information)\n"
	}
	rev := build["vcs.revision"] + " (" + build["vcs.time"]
	if build["vcs.modified"] == "true" {
		rev += ", modified"
	}
	return "gbhook " + mod + "\nrevision " + rev + ")\n"
}

func TestVersionText(t *testing.T) {
	main := debug.Module{Path: "github.com/gbhook/gbhook", Version: "v0.0.0-20261201221649-11651dfd163f+dirty"}
	set := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"modified tree", &debug.BuildInfo{Main: main, Settings: set("vcs", "git", "vcs.revision",
			"11651dfd163f3371a947857eb8239f6192872bc0", "vcs.time", "2026-12-01T22:16:49Z", "vcs.modified", "true")}, true,
			"gbhook v0.0.0-20261201221649-11651dfd163f+dirty\n" +
				"revision 11651dfd163f3371a947857eb8239f6192872bc0 (2026-12-01T22:16:49Z, modified)"},
		{"clean tree", &debug.BuildInfo{Main: main, Settings: set("vcs.revision", "11651dfd",
			"vcs.time", "2026-12-01T22:16:49Z", "vcs.modified", "false")}, true,
			"gbhook v0.0.0-20261201221649-11651dfd163f+dirty\nrevision 11651dfd (2026-12-01T22:16:49Z)"},
		{"no VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true,
			"gbhook (devel)\nrevision unknown (built without VCS information)"},
		{"no build info", nil, false, "gbhook (unknown version)\nrevision unknown (built without module support)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.bi, tt.ok); got != tt.want {
				t.Errorf("versionText:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
