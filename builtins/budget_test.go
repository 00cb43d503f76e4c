package builtins

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// bigJSON is a 256 KiB JSON object: {"a":[1,1,...,1]}.
var bigJSON = `{"a":[` + strings.Repeat("1,", 128<<10) + `1]}`

// budgetCalls are the builtins whose cost grows with their input, each
// applied to the request body B at line 3. col is where the error points.
var budgetCalls = []struct{ name, line, col string }{
	{"PARSE JSON", `X = PARSE JSON(B)`, "7"},
	{"GET JSON PATH", `X = GET JSON PATH B, "a"`, "7"},
	{"REPLACE", `X = REPLACE(B, "1", "22")`, "7"},
	{"JSON ENCODE", `X = JSON ENCODE(B)`, "7"},
	{"UCASE", `X = UCASE(B)`, "7"},
	{"LCASE", `X = LCASE(B)`, "7"},
	{"XML ESCAPE", `X = XML ESCAPE(B)`, "7"},
	{"URL ENCODE", `X = URL ENCODE(B)`, "7"},
	{"PRINT", `PRINT B`, "3"},
	{"LOG", `LOG B`, "3"},
	{"concatenation", `X = B + "."`, "9"},
}

// scanCalls read their input without keeping a copy: they count work only.
var scanCalls = []struct{ name, line, col string }{
	{"INSTR", `X = INSTR(B, "z")`, "7"},
	{"LEN", `X = LEN(B)`, "7"},
	{"LEFT", `X = LEFT(B, 300000)`, "7"},
	{"RIGHT", `X = RIGHT(B, 1)`, "7"},
	{"MID", `X = MID(B, 2)`, "7"},
	{"TRIM", `X = TRIM(B)`, "7"},
	{"comparison", `X = B < B`, "9"},
	{"FOR EACH", `FOR EACH V IN B : NEXT`, "3"},
}

// runBudget runs `B = GET REQUEST BODY` then line, with bigJSON as the body.
func runBudget(t *testing.T, ctx context.Context, directives map[string]string, line string) error {
	t.Helper()
	src := "ON WEBHOOK POST TO \"/t\" DO\n  B = GET REQUEST BODY\n  " + line + "\n  PRINT \"done\"\nEND ON\n"
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
	if err != nil {
		t.Fatal(err)
	}
	env := newGoldenEnv(t, directives)
	m, err := runtime.New(prog, Registry(env.deps()), env.options())
	if err != nil {
		t.Fatal(err)
	}
	req := &runtime.Request{Method: "POST", Path: "/t", Body: []byte(bigJSON)}
	_, _, err = m.Exec(ctx, prog.Handlers[0], req, "r")
	return err
}

// What a builtin allocates counts against the memory budget, before it
// allocates: with 100 kB, each of these fails on a 256 KiB input.
func TestBuiltinsCountMemory(t *testing.T) {
	for _, c := range budgetCalls {
		t.Run(c.name, func(t *testing.T) {
			err := runBudget(t, context.Background(), map[string]string{"MAXMEMORY": "100000"}, c.line)
			want := "t.bas:3:" + c.col + ": memory budget exceeded"
			if err == nil || err.Error() != want || runtime.StatusOf(err) != 503 {
				t.Errorf("got %v, want %q (503)", err, want)
			}
		})
	}
}

// Long work honours the deadline at once: 256 KiB is 4,096 steps, past the
// next checkpoint, so the call itself looks at the context before working.
// (Before, the first look came 1,024 statements later, however long each.)
func TestLongBuiltinsHonourDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range append(append(budgetCalls[:0:0], budgetCalls...), scanCalls...) {
		t.Run(c.name, func(t *testing.T) {
			err := runBudget(t, ctx, nil, c.line)
			want := "t.bas:3:" + c.col + ": run canceled"
			if err == nil || err.Error() != want || runtime.StatusOf(err) != 503 {
				t.Errorf("got %v, want %q (503)", err, want)
			}
		})
	}
}

// An LLM answer is an HTTP body the run keeps: it counts against the memory
// budget like a builtin's result. The endpoint is a real HTTP server.
func TestLLMAnswerCountsMemory(t *testing.T) {
	answer := strings.Repeat("a", 200_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": answer}}}})
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"GBHOOK_LLM_URL": srv.URL, "GBHOOK_LLM_MODEL": "m"}
	_, _, llm, err := delivery.FromEnv(delivery.Config{Getenv: func(k string) string { return env[k] }, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	src := "ON WEBHOOK POST TO \"/t\" DO\n  X = LLM(\"hi\")\n  PRINT LEN(X)\nEND ON\n"
	prog, err := lang.CheckSources([]lang.Source{{Name: "t.bas", Text: []byte(src)}}, Specs())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string
		maxMemory  int64
	}{
		{"within the budget", "200000", 1 << 20},
		{"past the budget", "t.bas:2:7: memory budget exceeded", 100_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := runtime.New(prog, Registry(Deps{LLM: llm}), runtime.Options{MaxMemory: tc.maxMemory})
			if err != nil {
				t.Fatal(err)
			}
			resp, _, err := m.Exec(context.Background(), prog.Handlers[0], &runtime.Request{Method: "POST", Path: "/t"}, "r")
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = string(resp.Body)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
