//go:build unix

package imageio

import (
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO (a pipe named on the command line) counts nothing and is not
// read: its data is for Open alone.
func TestEstimateFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	for _, estimate := range []func(string, Options) (int64, error){EstimateFile, EstimateClip} {
		if n, err := estimate(fifo, Options{}); n != 0 || err != nil {
			t.Errorf("estimate of a FIFO: %d, %v", n, err)
		}
	}
}
