package server

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readBody reads exactly what io.ReadAll reads, whatever Content-Length
// claims: the declared size only sizes the first buffer.
func TestReadBodyMatchesReadAll(t *testing.T) {
	big := strings.Repeat("0123456789", 10_000) // past presizeMax
	tests := []struct {
		name string
		body string
		size int64
	}{
		{"empty, unknown size", "", -1},
		{"empty, size 0", "", 0},
		{"exact size", "Digits=123456&From=%2B15551234567", 33},
		{"unknown size", "Digits=123456", -1},
		{"size claims less", "Digits=123456", 3},
		{"size claims more", "Digits=123456", 4096},
		{"large, unknown size", big, -1},
		{"large, exact size", big, int64(len(big))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// OneByteReader makes every Read short, as a slow client does.
			got, err := readBody(iotest.OneByteReader(strings.NewReader(tc.body)), tc.size)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(tc.body)) {
				t.Errorf("read %d bytes, want %d", len(got), len(tc.body))
			}
			if cap(got) > max(len(tc.body)*2, 512, int(min(tc.size, presizeMax))+1) {
				t.Errorf("buffer of %d bytes for %d", cap(got), len(tc.body))
			}
		})
	}
}

// A read error is returned, with what was read before it.
func TestReadBodyReturnsReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom))
	got, err := readBody(r, 10)
	if !errors.Is(err, boom) || string(got) != "abc" {
		t.Errorf("got %q, %v; want %q, %v", got, err, "abc", boom)
	}
}
