package queuetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Server is a PostgreSQL server of the test's own, which the test can stop
// and start (a database outage). It needs PostgreSQL's binaries and root (to
// run them as the postgres user: initdb refuses root).
type Server struct {
	URL  string
	dir  string
	port int
	bin  string
	t    testing.TB
}

// pgBin finds the server binaries (GBHOOK_TEST_PGBIN, or Debian's place).
func pgBin() string {
	if d := os.Getenv("GBHOOK_TEST_PGBIN"); d != "" {
		return d
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(m) == 0 {
		return ""
	}
	return filepath.Dir(m[len(m)-1])
}

// NewServer initialises and starts a server on a free port, stopped and
// removed at the end of the test. Without the binaries or root it skips on
// a developer machine and fails in CI.
func NewServer(t testing.TB) *Server {
	t.Helper()
	bin := pgBin()
	_, errUser := user.Lookup("postgres")
	if bin == "" || os.Geteuid() != 0 || errUser != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the database outage test: it needs PostgreSQL's binaries, root and a postgres user")
		}
		t.Skip("needs PostgreSQL's binaries, root and a postgres user")
	}
	dir, err := os.MkdirTemp("", "gbhook-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir, bin: bin, t: t, port: freePort(t)}
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	t.Cleanup(func() {
		_ = s.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	if out, err := s.as("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.Start()
	return s
}

func (s *Server) as(prog string, args ...string) *exec.Cmd {
	return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(s.bin, prog)}, args...)...)
}

func (s *Server) ctl(args ...string) error {
	args = append([]string{"-D", filepath.Join(s.dir, "data"), "-w"}, args...)
	out, err := s.as("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

// Start starts the server (again).
func (s *Server) Start() {
	s.t.Helper()
	opts := "-p " + strconv.Itoa(s.port) + " -k " + s.dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
	if err := s.ctl("-l", filepath.Join(s.dir, "log"), "-o", opts, "start"); err != nil {
		s.t.Fatal(err)
	}
}

// Stop stops the server at once, as a crash or a failover would.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.ctl("stop", "-m", "immediate"); err != nil {
		s.t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
