package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
)

// Regression: SIGHUP killed `gbhook serve` at once, with its queue. It
// reloads now, logs it, and the process keeps serving until SIGINT.
func TestServeReloadsOnSIGHUP(t *testing.T) {
	scripts := t.TempDir()
	script := func(n string) string { return "ON WEBHOOK GET TO \"/v\" DO\n  PRINT \"" + n + "\"\nEND ON\n" }
	writeFile(t, filepath.Join(scripts, "v.bas"), script("1"))
	addr, logs := freeAddr(t), &testlog.Buffer{}
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GBHOOK_ADMIN_ADDR=off", "GBHOOK_LOG_FORMAT=text",
		"GBHOOK_ADDR=" + addr, "GBHOOK_SCRIPTS=" + scripts, "GBHOOK_DATA=" + t.TempDir()}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	(&server{addr: addr, logs: logs}).waitHealthy(t)
	waitGet(t, addr, "/v", "1", logs)

	writeFile(t, filepath.Join(scripts, "v.bas"), script("2"))
	for i := 0; i < 2; i++ { // twice: the first must not have reset the handler
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitLogs(t, logs, `msg="SIGHUP: reloading scripts"`, i+1)
		waitLogs(t, logs, `msg="reloading scripts on request"`, i+1)
	}
	waitGet(t, addr, "/v", "2", logs)
	time.Sleep(200 * time.Millisecond)
	select {
	case <-exited:
		t.Fatalf("serve exited after SIGHUP: %v; logs:\n%s", waitErr, logs)
	default:
	}
	waitGet(t, addr, "/healthz", "ok", logs)

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("serve after SIGINT: %v; logs:\n%s", waitErr, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not stop on SIGINT; logs:\n%s", logs)
	}
	mustContain(t, "logs", logs.String(), `msg=stopped`)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitGet waits up to 10 s for GET path to answer 200 with body want.
func waitGet(t *testing.T, addr, path, want string, logs *testlog.Buffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + path)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.TrimSpace(string(b)) == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s never answered %q; logs:\n%s", path, want, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLogs waits up to 10 s for n occurrences of s in the logs.
func waitLogs(t *testing.T, logs *testlog.Buffer, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d× %s not logged; logs:\n%s", n, s, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
