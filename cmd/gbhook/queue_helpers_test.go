package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gbhook/gbhook/internal/testlog"
)

// proc is a `gbhook serve` process that a test can kill and restart on the
// same data directory or database.
type proc struct {
	addr string
	env  []string
	logs *testlog.Buffer
	cmd  *exec.Cmd
	done chan struct{}
}

// writeScripts writes name→source files into a new directory.
func writeScripts(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// launchServe starts serve on scripts and data with env added, and waits until it
// is healthy. It is stopped (SIGTERM, then kill) at the end of the test.
func launchServe(t *testing.T, scripts, data string, env map[string]string, args ...string) *proc {
	t.Helper()
	p := &proc{addr: freeAddr(t), logs: &testlog.Buffer{}, done: make(chan struct{})}
	p.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GBHOOK_ADDR=" + p.addr, "GBHOOK_SCRIPTS=" + scripts, "GBHOOK_DATA=" + data,
		"GBHOOK_ADMIN_ADDR=" + freeAddr(t), "GBHOOK_LOG_FORMAT=text"}
	for k, v := range env {
		p.env = append(p.env, k+"="+v)
	}
	p.cmd = exec.Command(binary, append([]string{"serve"}, args...)...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(10 * time.Second) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("serve exited; logs:\n%s", p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become healthy; logs:\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *proc) url(path string) string { return "http://" + p.addr + path }

// kill9 kills the process at once, as a crash or an OOM kill would.
func (p *proc) kill9() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and waits up to d before killing.
func (p *proc) stop(d time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(d):
		p.kill9()
	}
}

// gbhook runs a gbhook command with the process's environment.
func (p *proc) gbhook(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// send does one request and gives status and body.
func send(method, url, contentType string, body string, header http.Header) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// sendAll POSTs /spawn?n=i for i in [from, to) with conc workers, spread over
// procs, and fails unless every answer is 200.
func sendAll(t *testing.T, procs []*proc, from, to, conc int) {
	t.Helper()
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, to-from)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := procs[i%len(procs)]
				status, body, err := send("POST", p.url(fmt.Sprintf("/spawn?n=%d", i)), "", "", nil)
				if err == nil && status != 200 {
					err = fmt.Errorf("webhook %d: %d %q", i, status, body)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
