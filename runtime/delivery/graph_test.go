package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testToken   = "EAAGtestTOKENnotREAL0123456789"
	testPhoneID = "113469798404167"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type graphRequest struct {
	method, path, auth, contentType string
	body                            []byte
}

type graphAnswer struct {
	status int
	body   []byte
}

// graphServer is a real HTTP server that records each request and gives the next queued answer.
type graphServer struct {
	mu      sync.Mutex
	reqs    []graphRequest
	answers []graphAnswer
}

func (g *graphServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	g.reqs = append(g.reqs, graphRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"),
		r.Header.Get("Content-Type"), body})
	a := g.answers[0]
	g.answers = g.answers[1:]
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	w.Write(a.body)
}

func (g *graphServer) queue(a ...graphAnswer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answers = append(g.answers, a...)
}

func (g *graphServer) requests() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphRequest(nil), g.reqs...)
}

func (g *graphServer) last() graphRequest {
	r := g.requests()
	return r[len(r)-1]
}

func graphClient(t *testing.T, apiURL string, timeout time.Duration) WhatsApp {
	t.Helper()
	env := map[string]string{"WHATSAPP_TOKEN": testToken, "WHATSAPP_PHONE_NUMBER_ID": testPhoneID,
		"WHATSAPP_API_URL": apiURL}
	_, wa, _, err := FromEnv(Config{Getenv: envFunc(env), DataDir: t.TempDir(), Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return wa
}

type graphCase struct {
	name          string
	answer        graphAnswer
	wantCode      int // -1: success
	wantSubcode   int
	wantTransient bool
}

// graphCases answers with each fixture in turn, then with what the fixtures do not cover.
func graphCases(t *testing.T) []graphCase {
	return []graphCase{
		{name: "success", answer: graphAnswer{200, readFixture(t, "graph-send-success.json")}, wantCode: -1},
		{name: "throughput limit 130429", answer: graphAnswer{400, readFixture(t, "graph-send-error-130429.json")},
			wantCode: 130429, wantTransient: true},
		{name: "expired token 190", answer: graphAnswer{401, readFixture(t, "graph-send-error-190.json")},
			wantCode: 190, wantSubcode: 463},
		{name: "re-engagement 131047", answer: graphAnswer{400, readFixture(t, "graph-send-error-131047.json")},
			wantCode: 131047},
		{name: "pair rate limit 131056 as 429", answer: graphAnswer{429,
			[]byte(`{"error":{"message":"(#131056) Pair rate limit hit","code":131056}}`)},
			wantCode: 131056, wantTransient: true},
		{name: "unknown code is permanent", answer: graphAnswer{400,
			[]byte(`{"error":{"message":"(#131009) Parameter value is not valid","code":131009}}`)},
			wantCode: 131009},
		{name: "5xx without a body", answer: graphAnswer{502, []byte("<html>Bad Gateway</html>")},
			wantCode: 0, wantTransient: true},
		{name: "5xx with unknown code", answer: graphAnswer{500,
			[]byte(`{"error":{"message":"An unknown error occurred","code":1}}`)}, wantCode: 1, wantTransient: true},
		{name: "5xx with permanent code", answer: graphAnswer{500,
			[]byte(`{"error":{"message":"(#100) Invalid parameter","code":100}}`)}, wantCode: 100},
		{name: "echoed token is redacted", answer: graphAnswer{400,
			[]byte(`{"error":{"message":"Malformed access token ` + testToken + `","code":190}}`)}, wantCode: 190},
	}
}

func TestGraphWhatsApp(t *testing.T) {
	tests := graphCases(t)
	gs := &graphServer{}
	for _, tc := range tests {
		gs.queue(tc.answer)
	}
	srv := httptest.NewServer(gs)
	defer srv.Close()
	wa := graphClient(t, srv.URL+"/v25.0/", 5*time.Second)

	var want struct {
		To   string                `json:"to"`
		Text struct{ Body string } `json:"text"`
	}
	fixture := readFixture(t, "graph-send-text-request.json")
	if err := json.Unmarshal(fixture, &want); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			where, err := wa.SendText(context.Background(), want.To, want.Text.Body)
			checkGraphRequest(t, gs.last(), fixture)
			if tc.wantCode == -1 {
				if err != nil {
					t.Fatalf("SendText: %v", err)
				}
				if w := "whatsapp " + srv.Listener.Addr().String() + " wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUODBFMkEwMjIwMjAwOTVBOTNCNTIA"; where != w {
					t.Errorf("where = %q, want %q", where, w)
				}
				return
			}
			checkGraphError(t, err, tc.answer.status, tc.wantCode, tc.wantSubcode, tc.wantTransient)
		})
	}
}

func checkGraphRequest(t *testing.T, r graphRequest, fixture []byte) {
	t.Helper()
	if r.method != http.MethodPost || r.path != "/v25.0/"+testPhoneID+"/messages" {
		t.Errorf("request = %s %s, want POST /v25.0/%s/messages", r.method, r.path, testPhoneID)
	}
	if r.auth != "Bearer "+testToken || r.contentType != "application/json" {
		t.Errorf("Authorization = %q, Content-Type = %q", r.auth, r.contentType)
	}
	var got, want any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("request body is not JSON: %v", err)
	}
	json.Unmarshal(fixture, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request body = %s, want the fixture's %s", r.body, fixture)
	}
}

func checkGraphError(t *testing.T, err error, status, code, subcode int, transient bool) {
	t.Helper()
	var ge *GraphError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want a *GraphError", err)
	}
	t.Logf("error: %v", err)
	if ge.Code != code || ge.Subcode != subcode || ge.HTTPStatus != status || ge.Transient != transient {
		t.Errorf("GraphError = %+v, want code %d subcode %d status %d transient %v",
			*ge, code, subcode, status, transient)
	}
	if IsTransient(err) != transient {
		t.Errorf("IsTransient = %v, want %v", !transient, transient)
	}
	if code != 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("whatsapp: graph error %d", code)) {
		t.Errorf("Error() = %q, want it to start with the code", err)
	}
	if s := fmt.Sprintf("%v %+v", err, *ge); strings.Contains(s, testToken) {
		t.Errorf("error text contains the token: %s", s)
	}
}

func TestGraphErrorText(t *testing.T) {
	err := parseGraphResponseErr(t, 400, readFixture(t, "graph-send-error-130429.json"))
	if want := "whatsapp: graph error 130429: (#130429) Rate limit hit"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func parseGraphResponseErr(t *testing.T, status int, body []byte) error {
	t.Helper()
	_, err := parseGraphResponse(status, body, Config{}.redactor(testToken))
	if err == nil {
		t.Fatal("parseGraphResponse succeeded")
	}
	return err
}

// TestGraphNetworkFailures: a server that never answers and a port nobody listens on are both transient, end within
// the timeout, and keep the token out of the error.
func TestGraphNetworkFailures(t *testing.T) {
	hanging, stop := hangingServer()
	defer hanging.Close()
	defer close(stop)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()

	for _, tc := range []struct{ name, url string }{
		{"hanging server", hanging.URL},
		{"connection refused", refused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wa := graphClient(t, tc.url, 300*time.Millisecond)
			start := time.Now()
			_, err := wa.SendText(context.Background(), "447700900123", "hello")
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("SendText took %v with a 300ms timeout", d)
			}
			var te *TransientError
			if !errors.As(err, &te) || !IsTransient(err) {
				t.Errorf("err = %v, want a *TransientError", err)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error text contains the token: %v", err)
			}
		})
	}
}

// hangingServer reads the request and then never answers, until stop is closed or the client goes away.
func hangingServer() (*httptest.Server, chan struct{}) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // only then does the server notice a client that hangs up
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	return srv, stop
}
