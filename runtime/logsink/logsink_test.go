package logsink

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log file: writes land whole, in the order they are made.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// hungFile is a log sink that blocks (a full pipe, a stuck disk) until
// released.
type hungFile struct {
	lockedBuffer
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (h *hungFile) Write(p []byte) (int, error) {
	h.once.Do(func() { close(h.entered) })
	<-h.release
	return h.lockedBuffer.Write(p)
}

func TestLinesArriveWholeAndInOrder(t *testing.T) {
	var out lockedBuffer
	w := New(&out, 4<<20, nil) // room for all: this is about order
	const writers, lines = 8, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(w, "writer=%d line=%d %s\n", g, i, strings.Repeat("x", i%40))
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, l := range got {
		var g, i int
		if _, err := fmt.Sscanf(l, "writer=%d line=%d ", &g, &i); err != nil || g < 0 || g >= writers {
			t.Fatalf("line %q: %v", l, err)
		}
		if i != next[g] || l != fmt.Sprintf("writer=%d line=%d %s", g, i, strings.Repeat("x", i%40)) {
			t.Fatalf("writer %d: got line %q, want line %d whole", g, l, next[g])
		}
		next[g]++
	}
	if len(got) != writers*lines || w.Dropped() != 0 {
		t.Fatalf("got %d lines, %d dropped; want %d, 0", len(got), w.Dropped(), writers*lines)
	}
}

func TestAHungSinkNeverBlocksAWriter(t *testing.T) {
	out := &hungFile{entered: make(chan struct{}), release: make(chan struct{})}
	reported := make(chan int, 4)
	w := New(out, 100, func(n int) { reported <- n })
	line := []byte(strings.Repeat("a", 29) + "\n") // 30 bytes
	w.Write(line)
	<-out.entered // the goroutine now holds that line, stuck in the sink
	for range 10 {
		if n, err := w.Write(line); n != len(line) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	// 3 lines fit the 100 bytes behind the stuck one; 7 are dropped.
	if got := w.Dropped(); got != 7 {
		t.Fatalf("Dropped = %d, want 7", got)
	}
	close(out.release)
	if n := <-reported; n != 7 {
		t.Fatalf("onDrop told %d, want 7", n)
	}
	w.Close()
	if got := strings.Count(out.String(), "\n"); got != 4 {
		t.Fatalf("%d lines written, want the stuck one and the 3 kept", got)
	}
}

func TestALineLargerThanTheBoundIsKept(t *testing.T) {
	var out lockedBuffer
	w := New(&out, 16, nil)
	big := strings.Repeat("b", 100) + "\n"
	w.Write([]byte(big))
	w.Close()
	if out.String() != big || w.Dropped() != 0 {
		t.Fatalf("wrote %q, dropped %d", out.String(), w.Dropped())
	}
}

func TestWritesAfterCloseGoThrough(t *testing.T) {
	var out lockedBuffer
	w := New(&out, 0, nil)
	w.Write([]byte("queued\n"))
	w.Close()
	w.Close() // twice is harmless
	w.Write([]byte("late\n"))
	if got := out.String(); got != "queued\nlate\n" {
		t.Fatalf("got %q", got)
	}
}

func TestABurstIsOneWrite(t *testing.T) {
	out := &hungFile{entered: make(chan struct{}), release: make(chan struct{})}
	w := New(out, 0, nil)
	w.Write([]byte("first\n"))
	<-out.entered
	for i := range 50 {
		fmt.Fprintf(w, "burst %d\n", i)
	}
	close(out.release)
	w.Close()
	if out.writes != 2 {
		t.Fatalf("%d writes to the sink, want 2 (the first line, then the burst of 50)", out.writes)
	}
}

// Regression: a Write that found the buffer empty signalled the goroutine
// after unlocking, so a Close in between made it send on a closed channel.
func TestCloseDuringWritesNeverPanics(t *testing.T) {
	for range 200 {
		var out lockedBuffer
		w := New(&out, 0, nil)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					w.Write([]byte("line\n"))
				}
			}()
		}
		w.Close()
		wg.Wait()
		if got := strings.Count(out.String(), "line\n"); got != 80 {
			t.Fatalf("%d lines written, want 80", got)
		}
	}
}
