package builtins

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/run")

// runDir holds one script per dialect rule; each NAME.bas has a NAME.golden
// and optionally NAME.body and NAME.headers for its request.
const runDir = "../testdata/run"

// goldenRequestID is the request id every golden run carries, so LOG lines
// in the goldens show it.
const goldenRequestID = "req-golden"

// TestGolden checks each testdata/run/*.bas alone with the real builtin table
// and runs its POST /t handler. The golden is one of:
//
//	status: N / header K: V / log: ... / job: ... / mail: ... / whatsapp: ..., a blank line, the body
//	check error:\n<every problem>
//	runtime error: <status>: <file:line:col: message>
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(runDir, "*.bas"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", runDir, err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".bas")
		t.Run(name, func(t *testing.T) {
			got := runGolden(t, path)
			compareGolden(t, strings.TrimSuffix(path, ".bas")+".golden", got)
		})
	}
}

// compareGolden compares got with the golden file, or rewrites it under
// -update. A bug-*.golden is hand-written (the right answer for a known bug)
// and is never rewritten.
func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update && !strings.HasPrefix(filepath.Base(golden), "bug-") {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./builtins -run TestGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", filepath.Base(golden), got, want)
	}
}

// runGolden checks and runs one script and renders the outcome as golden text.
func runGolden(t *testing.T, path string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(path)
	prog, err := lang.CheckSources([]lang.Source{{Name: base, Text: src}}, Specs())
	if err != nil {
		return "check error:\n" + err.Error() + "\n"
	}
	h := findHandler(t, prog, "POST", "/t")
	env := newGoldenEnv(t, parseDirectives(string(src)))
	m, err := runtime.New(prog, Registry(env.deps()), env.options())
	if err != nil {
		t.Fatal(err)
	}
	req := goldenRequest(t, strings.TrimSuffix(path, ".bas"), env.directives["QUERY"])
	resp, jobs, err := m.Exec(context.Background(), h, req, goldenRequestID)
	if err != nil {
		return renderRunError(t, err)
	}
	return renderResponse(resp, jobs, env)
}

// findHandler gives the handler for method and path; a golden script has one.
func findHandler(t testing.TB, prog *lang.Program, method, path string) *lang.Handler {
	t.Helper()
	for _, h := range prog.Handlers {
		if h.Method == method && h.Path == path {
			return h
		}
	}
	t.Fatalf("no ON WEBHOOK %s TO %q", method, path)
	return nil
}

// renderRunError renders a failed run; every runtime failure must carry its
// position, so a bare error is a test failure rather than a golden.
func renderRunError(t *testing.T, err error) string {
	t.Helper()
	var re *runtime.Error
	if !errors.As(err, &re) {
		t.Errorf("runtime error without a script position: %v", err)
	}
	return fmt.Sprintf("runtime error: %d: %s\n", runtime.StatusOf(err), err)
}

// renderResponse writes status, sorted headers, side effects, a blank line and
// the body exactly.
func renderResponse(resp *runtime.Response, jobs []runtime.Job, env *goldenEnv) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status: %d\n", resp.Status)
	fields := slices.Clone(resp.Header)
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	for _, f := range fields {
		fmt.Fprintf(&b, "header %s: %s\n", f.Name, f.Value)
	}
	for _, l := range env.logLines() {
		b.WriteString("log: " + l + "\n")
	}
	for _, j := range jobs {
		b.WriteString("job: " + renderJob(j) + "\n")
	}
	for _, s := range env.sent {
		b.WriteString(s + "\n")
	}
	b.WriteString("\n")
	b.Write(resp.Body)
	return b.String()
}

// renderJob shows a job's SUB and arguments with their kinds visible.
func renderJob(j runtime.Job) string {
	args := make([]string, len(j.Args))
	for i, a := range j.Args {
		args[i] = renderValue(a)
	}
	return fmt.Sprintf("%s(%s) request_id=%s", j.Sub, strings.Join(args, ", "), j.RequestID)
}

// renderValue quotes strings and tags JSON so that "1" and 1 differ.
func renderValue(v runtime.Value) string {
	switch x := v.(type) {
	case runtime.Str:
		return fmt.Sprintf("%q", string(x))
	case runtime.JSON:
		return "JSON " + string(x)
	case nil:
		return "<nil>"
	}
	return v.String()
}
