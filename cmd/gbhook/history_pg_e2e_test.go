package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gbhook/gbhook/runtime/queue/queuetest"
)

// Issue 9 on PostgreSQL: with --database-url the history lives in that
// database, so a request answered by one replica is in the other's
// /api/requests (a per-replica SQLite file would hide it).
func TestHistoryOnPostgresIsShared(t *testing.T) {
	env := map[string]string{"GBHOOK_DATABASE_URL": queuetest.Database(t)}
	s1, s2 := startServe(t, env), startServe(t, env)
	path := "/history-on-postgres"
	resp, err := http.Get("http://" + s1.addr + path + "?n=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET %s: %d, want 404", path, resp.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := listRequests(t, s2.admin)
		for _, r := range got {
			if r.Path == path+"?n=1" {
				if r.Status != 404 || r.Route != "unmatched" {
					t.Fatalf("replica 2 shows %+v, want status 404 route unmatched", r)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica 2's /api/requests never showed replica 1's %s: %+v\nlogs 1:\n%s", path, got, s1.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type listedRequest struct {
	Path   string `json:"path"`
	Route  string `json:"route"`
	Status int    `json:"status"`
}

func listRequests(t *testing.T, admin string) []listedRequest {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/api/requests?limit=50")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []listedRequest
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/requests: %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}
