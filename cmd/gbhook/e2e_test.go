package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// syncBuffer collects a process's output safely while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running `gbhook serve`.
type server struct {
	addr    string
	admin   string // the admin listener's address
	scripts string
	env     []string
	logs    *syncBuffer
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
	files, _ := filepath.Glob("../../scripts/*.bas")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(scripts, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &server{addr: freeAddr(t), admin: freeAddr(t), logs: &syncBuffer{}, data: data, scripts: scripts}
	s.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GBHOOK_ADDR=" + s.addr, "GBHOOK_SCRIPTS=" + scripts, "GBHOOK_DATA=" + data,
		"GBHOOK_ADMIN_ADDR=" + s.admin, "GBHOOK_LOG_FORMAT=text"}
	for k, v := range env {
		s.env = append(s.env, k+"="+v)
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, s.logs, s.logs
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
	s.waitHealthy(t)
	return s
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
	cmd.Env = append([]string(nil), s.env...)
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
