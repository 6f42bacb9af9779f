package cliutil

import (
	"path/filepath"
	"testing"

	"github.com/attnkit/attn/pkg/imageio"
)

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"1000000", 1000000}, {"4GiB", 4 << 30}, {"4gib", 4 << 30}, {"512MiB", 512 << 20},
		{"512 MiB", 512 << 20}, {"2G", 2 << 30}, {"1.5G", 3 << 29}, {"64k", 64 << 10},
		{"3GB", 3e9}, {"10MB", 10e6}, {"7B", 7}, {"1TiB", 1 << 40},
	} {
		got, err := ParseBytes(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "GiB", "4 parsecs", "-1GiB", "1e999", "4GiBs", "1..2M", "99999999999TiB"} {
		if n, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) = %d, want an error", bad, n)
		}
	}
}

func TestMaxMemory(t *testing.T) {
	for _, s := range []string{"", "auto", "AUTO"} {
		if n, err := MaxMemory(s); err != nil || n <= 0 {
			t.Errorf("MaxMemory(%q) = %d, %v; want the positive default", s, n, err)
		}
	}
	if n, err := MaxMemory("512MiB"); err != nil || n != 512<<20 {
		t.Errorf("MaxMemory(512MiB) = %d, %v", n, err)
	}
	if _, err := MaxMemory("0"); err == nil {
		t.Error("MaxMemory(0) is no budget at all; want an error")
	}
	if avail, ok := AvailableMemory(); ok && DefaultMaxMemory() != int64(float64(avail)*DefaultMemoryShare) {
		// Available memory moves between the two reads; allow for it.
		if d := DefaultMaxMemory() - int64(float64(avail)*DefaultMemoryShare); d > 256<<20 || d < -256<<20 {
			t.Errorf("default %d is not %g of the available %d", DefaultMaxMemory(), DefaultMemoryShare, avail)
		}
	}
}

// The refusal is imageio's message and the flag that raises the budget.
func TestFailureLineMemory(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "images", "huge-header.png")
	_, err := imageio.Open(path, imageio.Options{MaxPixels: 1 << 40, MaxMemory: 1 << 30})
	want := "lpa: " + path + ": needs about 37.3 GiB, limit 1.0 GiB (--max-memory)"
	if got := FailureLine("lpa", path, err); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
