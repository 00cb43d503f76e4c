package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func gcPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// waitPercent collects until the tuner (which runs after a cycle, on the
// finalizer goroutine) has set want, or fails.
func waitPercent(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != want {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC %d, want %d", gcPercent(), want)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

var keep []*[1 << 20]byte

func TestGOGCFollowsTheLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	stop := Start(Config{Small: 300, Large: 120, Limit: 16 << 20})
	waitPercent(t, 300) // a test binary's heap is small

	for range 24 { // 24 MiB live: over the limit
		keep = append(keep, new([1 << 20]byte))
	}
	waitPercent(t, 120)

	keep = keep[:12] // 12 MiB: under the limit but over half of it: stays
	runtime.GC()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if got := gcPercent(); got != 120 {
		t.Errorf("GOGC %d at 12 MiB live, want 120 still (back down only under half the limit)", got)
	}

	keep = nil
	waitPercent(t, 300)

	stop()
	if got := gcPercent(); got != 120 {
		t.Errorf("after stop GOGC %d, want the large setting 120", got)
	}
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if got := gcPercent(); got != 120 {
		t.Errorf("a cycle after stop changed GOGC to %d", got)
	}
}
