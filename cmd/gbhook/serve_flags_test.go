package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

// serve refuses a bad --public-url or --trust-proxy with one line, before it
// listens or loads anything.
func TestServeRefusesBadURLFlags(t *testing.T) {
	tests := []struct {
		name, env, want string
	}{
		{"public URL without a scheme", "GBHOOK_PUBLIC_URL=hooks.example.com",
			"gbhook: --public-url \"hooks.example.com\" is not an absolute http(s) URL such as https://hooks.example.com\n"},
		{"public URL of another scheme", "GBHOOK_PUBLIC_URL=ws://hooks.example.com",
			"gbhook: --public-url \"ws://hooks.example.com\" is not an absolute http(s) URL such as https://hooks.example.com\n"},
		{"public URL with a query", "GBHOOK_PUBLIC_URL=https://hooks.example.com/?a=1",
			"gbhook: --public-url \"https://hooks.example.com/?a=1\" must not have a query or fragment\n"},
		{"trusted proxy by name", "GBHOOK_TRUST_PROXY=10.0.0.0/8,proxy.local",
			"gbhook: --trust-proxy: trusted proxy \"proxy.local\" is neither a CIDR such as 10.0.0.0/8 nor an IP address\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(binary, "serve")
			cmd.Dir = t.TempDir()
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GBHOOK_ADDR=" + freeAddr(t),
				"GBHOOK_SCRIPTS=" + t.TempDir(), "GBHOOK_DATA=" + t.TempDir(), tc.env}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("serve did not refuse; stderr:\n%s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("exit: %v, want status 2", err)
			}
			if stderr.String() != tc.want || stdout.String() != "" {
				t.Errorf("stderr %q, stdout %q; want stderr %q", stderr.String(), stdout.String(), tc.want)
			}
		})
	}
}

// A public URL with a trailing slash is normalised alike by serve and
// simulate, and --trust-proxy reaches the server.
func TestPublicURLAndTrustProxyWired(t *testing.T) {
	srv := startServe(t, map[string]string{"TWILIO_AUTH_TOKEN": twilioToken,
		"GBHOOK_PUBLIC_URL": "https://hooks.example.com/", "GBHOOK_TRUST_PROXY": "127.0.0.1, ::1"})
	out, err := srv.simulate(t, nil, "twilio-call")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	// (The script's own GET ENV "GBHOOK_PUBLIC_URL" still sees the raw value.)
	mustContain(t, "output", out, "200 text/xml", "<Response><Gather action=")
}
