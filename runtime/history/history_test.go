package history

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func openStore(t testing.TB) Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "gbhook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// eachStore runs test against SQLite and, when GBHOOK_TEST_DATABASE_URL is
// set, PostgreSQL (in a schema of its own); in CI PostgreSQL must be there.
func eachStore(t *testing.T, test func(t *testing.T, store Store)) {
	t.Run("sqlite", func(t *testing.T) { test(t, openStore(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, openPostgres(t)) })
}

func openPostgres(t testing.TB) Store {
	t.Helper()
	url := os.Getenv("GBHOOK_TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("GBHOOK_TEST_DATABASE_URL is unset in CI")
		}
		t.Skip("GBHOOK_TEST_DATABASE_URL is unset")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("history_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") }) //nolint:errcheck
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := OpenPostgres(ctx, url+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// startRecorder runs a recorder until the test ends.
func startRecorder(t testing.TB, cfg RecorderConfig) *Recorder {
	t.Helper()
	rc := NewRecorder(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return rc
}

func flush(t testing.TB, rc *Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := rc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func record(i int) *Record {
	return &Record{Time: time.Now(), Method: "POST", Path: fmt.Sprintf("/r/%d", i), Route: "POST /r/:n",
		Status: 200, RequestID: fmt.Sprint("rid-", i), Request: &Message{Headers: http.Header{}}, ReqBody: []byte("x")}
}

func TestRetentionKeepsAtMostMaxCount(t *testing.T) {
	eachStore(t, func(t *testing.T, store Store) {
		rc := startRecorder(t, RecorderConfig{Store: store, MaxCount: 5000, Buffer: 20000, MaxRate: -1})
		for i := 0; i < 20000; i++ {
			rc.Record(record(i))
		}
		flush(t, rc)
		n, err := store.Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		stored := 20000 - int(rc.Dropped())
		if n > 5000 || n != min(stored, 5000) {
			t.Fatalf("after 20000 records (%d dropped) with 5000 retained: %d stored", rc.Dropped(), n)
		}
		list, err := store.List(context.Background(), Filter{Limit: 1})
		if err != nil || len(list) != 1 || list[0].Path != "/r/19999" {
			t.Fatalf("newest record: %+v %v, want /r/19999", list, err)
		}
	})
}

func TestPruneByAge(t *testing.T) {
	eachStore(t, func(t *testing.T, store Store) {
		old, recent := record(1), record(2)
		old.Time = time.Now().Add(-8 * 24 * time.Hour)
		ctx := context.Background()
		if err := store.Write(ctx, []*Record{old, recent}, nil, 0); err != nil {
			t.Fatal(err)
		}
		if err := store.Prune(ctx, 5000, 7*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		list, _ := store.List(ctx, Filter{Limit: 10})
		if len(list) != 1 || list[0].Path != "/r/2" {
			t.Fatalf("after pruning at 7 days: %+v, want only /r/2", list)
		}
	})
}

// blockingStore holds every write until release closes, so the buffer fills.
type blockingStore struct {
	Store
	release chan struct{}
}

func (b blockingStore) Write(ctx context.Context, recs []*Record, evs []Event, max int) error {
	<-b.release
	return b.Store.Write(ctx, recs, evs, max)
}

func TestFullBufferDropsAndCounts(t *testing.T) {
	bs := blockingStore{Store: openStore(t), release: make(chan struct{})}
	var drops atomic.Int64
	rc := startRecorder(t, RecorderConfig{Store: bs, Buffer: 10, OnDrop: func() { drops.Add(1) }})
	start := time.Now()
	for i := 0; i < 100; i++ {
		rc.Record(record(i)) // never blocks, whatever the store does
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("Record blocked on a stuck store")
	}
	close(bs.release)
	flush(t, rc)
	n, _ := bs.Count(context.Background())
	if rc.Dropped() == 0 || drops.Load() != rc.Dropped() || int64(n)+rc.Dropped() != 100 {
		t.Fatalf("stored %d, dropped %d (OnDrop saw %d); want stored+dropped = 100 with drops", n, rc.Dropped(), drops.Load())
	}
}

func TestRedaction(t *testing.T) {
	env := map[string]string{"TWILIO_AUTH_TOKEN": "tw-secret-1", "META_APP_SECRET": "meta-secret-2",
		"WHATSAPP_TOKEN": "wa-secret-3", "SMTP_PASSWORD": "smtp-secret-4 ", "GBHOOK_LLM_API_KEY": "k"}
	red := NewRedactor(func(k string) string { return env[k] })
	tests := []struct {
		name, in, want string
	}{
		{"each secret", "a tw-secret-1 b meta-secret-2 c wa-secret-3 d smtp-secret-4", "a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED]"},
		{"trailing space trimmed too", "p=smtp-secret-4 ", "p=[REDACTED]"},
		{"too short to hide", "k is a letter", "k is a letter"},
		{"nothing secret", "hello", "hello"},
		// From runtime/secret's Redactor, the one place that knows the forms.
		{"base64 form", "auth=" + base64.StdEncoding.EncodeToString([]byte("u:tw-secret-1")), "auth=[REDACTED]"},
		{"query-escaped form", "q=" + url.QueryEscape("wa-secret-3 x"), "q=[REDACTED]+x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := red.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	h := red.Header(http.Header{"Authorization": {"Bearer abc"}, "Cookie": {"s=1"}, "X-Twilio-Signature": {"sig"},
		"X-Hub-Signature-256": {"sha256=00"}, "X-Note": {"wa-secret-3"}, "Accept": {"*/*"}})
	want := "map[Accept:[*/*] Authorization:[[REDACTED]] Cookie:[[REDACTED]] X-Hub-Signature-256:[[REDACTED]] X-Note:[[REDACTED]] X-Twilio-Signature:[[REDACTED]]]"
	if fmt.Sprint(h) != want {
		t.Errorf("Header = %v\nwant %s", h, want)
	}
	perReq := red.ForRequest(http.Header{"Authorization": {"Bearer client-token-9"}})
	if got := perReq.String("echo client-token-9 tw-secret-1"); got != "echo [REDACTED] [REDACTED]" {
		t.Errorf("ForRequest: %q", got)
	}
	// A webhook's signature is hidden where a script echoes it, and costs no
	// new compiled redactor (each Twilio and Meta request carries one).
	const sig = "0nHPXwJ8tHFOPeWqTxVrOsUHn+c="
	signed := red.ForRequest(http.Header{"X-Twilio-Signature": {sig}, "X-Hub-Signature-256": {"sha256=" + strings.Repeat("ab", 32)}})
	if got := signed.String("sig " + sig + " sha256=" + strings.Repeat("ab", 32) + " tw-secret-1"); got != "sig [REDACTED] [REDACTED] [REDACTED]" {
		t.Errorf("ForRequest with signatures: %q", got)
	}
	if signed.sec != red.sec {
		t.Error("ForRequest with signatures only compiled a new secret.Redactor")
	}
	body, cut := red.Body([]byte("héllo wa-secret-3"), 2)
	if body != "h" || !cut {
		t.Errorf("Body cut at 2 bytes = %q %v, want \"h\" true (never half a character)", body, cut)
	}
}

func TestRecordRoundTripWithEvents(t *testing.T) {
	eachStore(t, func(t *testing.T, store Store) {
		dir := t.TempDir()
		script := filepath.Join(dir, "orders.bas")
		if err := os.WriteFile(script, []byte("L1\nL2\nL3\nL4\nL5\nL6\nL7\nL8\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		rc := startRecorder(t, RecorderConfig{Store: store, BodyMax: 4})
		r := record(1)
		r.Error, r.ErrorPos = script+":5:3: boom", &ErrorAt{File: script, Line: 5, Col: 3}
		r.Jobs = []Job{{Sub: "LATER", State: JobQueued}}
		r.Response, r.RespBody = &Message{Status: 500, Headers: http.Header{}}, []byte("internal error")
		rc.Event(Event{RequestID: "rid-1", Log: &Log{Msg: "hello", At: "orders.bas:2"}})
		rc.Record(r)
		rc.Event(Event{RequestID: "rid-1", Job: &Job{Sub: "LATER", State: JobFailed, Error: "x:1:1: no"}})
		rc.Event(Event{RequestID: "rid-1", Delivery: &Delivery{Kind: "mail", Outcome: OutcomeOK, To: "a@b"}})
		flush(t, rc)
		got, err := store.Get(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Response.Body != "inte" || !got.Response.Truncated {
			t.Errorf("response body %q truncated %v, want \"inte\" true", got.Response.Body, got.Response.Truncated)
		}
		src := fmt.Sprint(got.ErrorSource.Lines)
		if src != "[{2 L2} {3 L3} {4 L4} {5 L5} {6 L6} {7 L7} {8 L8}]" {
			t.Errorf("error source lines %s", src)
		}
		if fmt.Sprint(got.Logs[0].Msg, got.Jobs, got.Deliveries[0].To) != "hello[{LATER failed 0 x:1:1: no 0001-01-01 00:00:00 +0000 UTC}]a@b" {
			t.Errorf("logs %v jobs %v deliveries %v", got.Logs, got.Jobs, got.Deliveries)
		}
		if _, err := store.Get(context.Background(), 999); err != ErrNotFound {
			t.Errorf("Get(999): %v, want ErrNotFound", err)
		}
	})
}

func TestListFilters(t *testing.T) {
	eachStore(t, func(t *testing.T, store Store) {
		var recs []*Record
		for i := 0; i < 6; i++ {
			r := record(i)
			if i%2 == 1 {
				r.Route, r.Status = "unmatched", 404
			}
			recs = append(recs, r)
		}
		ctx := context.Background()
		if err := store.Write(ctx, recs, nil, 0); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    Filter
			want string
		}{
			{"newest first", Filter{Limit: 3}, "[/r/5 /r/4 /r/3]"},
			{"by route", Filter{Route: "unmatched", Limit: 10}, "[/r/5 /r/3 /r/1]"},
			{"by status", Filter{Status: 200, Limit: 10}, "[/r/4 /r/2 /r/0]"},
			{"before an id", Filter{Before: recs[2].ID, Limit: 10}, "[/r/1 /r/0]"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := store.List(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var paths []string
				for _, s := range list {
					paths = append(paths, s.Path)
				}
				if got := fmt.Sprint(paths); got != tt.want {
					t.Errorf("List(%+v) = %s, want %s", tt.f, got, tt.want)
				}
			})
		}
	})
}

// The writer paces itself by every entry it writes: a batch of LOG lines and
// deliveries costs the disk as records do (counting only records let a
// flood of events go out unpaced).
func TestBatchCountsEventsForPacing(t *testing.T) {
	rc := NewRecorder(RecorderConfig{Store: openStore(t), Buffer: 10})
	for i := 0; i < 2; i++ {
		rc.Record(&Record{Method: "POST", Path: "/p", Route: "POST /p", Request: &Message{}, Response: &Message{}})
	}
	for i := 0; i < 3; i++ {
		rc.Event(Event{RequestID: "r", Log: &Log{Msg: "line", At: "a.bas:1"}})
	}
	if n := rc.batch(<-rc.in); n != 5 {
		t.Errorf("batch of 2 records and 3 events counted %d entries for pacing, want 5", n)
	}
}

// Regression: batches of 64 records held a one-CPU server's requests back
// for 6 to 9 ms each under load (p99). A backlog is written 16 at a time.
func TestABacklogIsWrittenInShortBatches(t *testing.T) {
	rc := NewRecorder(RecorderConfig{Store: openStore(t), Buffer: 100})
	for i := 0; i < 40; i++ {
		rc.Record(&Record{Method: "POST", Path: "/p", Route: "POST /p", Request: &Message{}, Response: &Message{}})
	}
	var sizes []int
	for len(rc.in) > 0 {
		sizes = append(sizes, rc.batch(<-rc.in))
	}
	if fmt.Sprint(sizes) != "[16 16 8]" {
		t.Errorf("batches of %v, want [16 16 8]", sizes)
	}
}

// Regression: under steady load the buffer is always full, and every record
// in it keeps its request's headers and bodies alive. 256 of a Twilio call's
// records doubled a server's live heap (1 to 2 MB), and the GC's work per
// request with it. A full buffer of them stays under 300 KB.
func TestAFullBufferHoldsLittleHeap(t *testing.T) {
	rc := NewRecorder(RecorderConfig{Store: openStore(t)})
	form := strings.Repeat("CallSid=CA3b9d2e7f10c84a6e95f1a2b3c4d5e6f7&", 13) // 572 bytes, a voice call's form
	twiml := strings.Repeat("<Say>x</Say>", 28)                               // 336 bytes
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	for rc.Room() {
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "User-Agent": {"TwilioProxy/1.1"},
			"X-Twilio-Signature": {"0nHPXwJ8tHFOPeWqTxVrOsUHn+c="}, "Content-Length": {"572"}, "Accept": {"*/*"}}
		rc.Record(&Record{Method: "POST", Path: "/twilio/voice", Route: "POST /twilio/voice",
			Request: &Message{Headers: h}, ReqBody: []byte(form),
			Response: &Message{Headers: http.Header{"Content-Type": {"text/xml"}}}, RespBody: []byte(twiml)})
	}
	goruntime.GC()
	goruntime.ReadMemStats(&after)
	if held := int64(after.HeapAlloc) - int64(before.HeapAlloc); held > 300<<10 {
		t.Errorf("a full buffer of %d records holds %d KB of heap, want under 300", len(rc.in), held>>10)
	}
}
