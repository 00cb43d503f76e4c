package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
)

// These tests run the real binary: `gbhook serve` as a process, and
// `gbhook simulate` against it, with real SMTP and HTTP servers behind.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gbhook-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gbhook")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `gbhook serve`.
type server struct {
	addr    string
	admin   string // the admin listener's address
	scripts string
	env     []string // GBHOOK_* and the test's variables
	logs    *testlog.Buffer
	data    string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServe serves a copy of scripts/ with env added to a minimal environment.
func startServe(t *testing.T, env map[string]string) *server {
	t.Helper()
	scripts, data := t.TempDir(), t.TempDir()
	copyScripts(t, scripts)
	s := &server{addr: freeAddr(t), admin: freeAddr(t), logs: &testlog.Buffer{}, data: data, scripts: scripts}
	s.env = []string{"GBHOOK_ADDR=" + s.addr, "GBHOOK_SCRIPTS=" + scripts, "GBHOOK_DATA=" + data,
		"GBHOOK_ADMIN_ADDR=" + s.admin}
	for k, v := range env {
		s.env = append(s.env, k+"="+v)
	}
	launch(t, s.env, s.logs, "serve")
	s.waitHealthy(t)
	return s
}

// baseEnv starts every test process's environment: no admin listener (tests
// run in parallel, and its default port would collide) and text logs, which
// tests read. Later entries override these (exec keeps the last of a name).
func baseEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GBHOOK_ADMIN_ADDR=off", "GBHOOK_LOG_FORMAT=text"}
}

// launch starts the binary with args in a new empty directory (no scripts/
// there), with env added to a minimal environment and its output in logs.
// When the test ends it is interrupted, and killed if it has not exited 10 s
// later.
func launch(t *testing.T, env []string, logs io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(baseEnv(), env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	return cmd
}

func (s *server) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy; logs:\n%s", s.logs)
}

// simulate runs `gbhook simulate args...` with the server's environment plus extra.
func (s *server) simulate(t *testing.T, extra map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"simulate"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, s.env...)
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}
