//go:build unix

package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/trainrun"
)

// SIGINT during train: the run stops after the batch in hand with exit
// 130 and one line saying how many epochs are done; --resume repeats the
// interrupted epoch and ends with the bits of a run never interrupted.
func TestTrainSIGINTResume(t *testing.T) {
	dir := t.TempDir()
	args := func(out string, epochs int) []string {
		return []string{"train", "--task", "mnist", "--glimpses", "3", "--limit", "128", "--val", "50", "--val-placements", "1",
			"--schedule", "none", "--quiet", "--json", "--epochs", strconv.Itoa(epochs), "-o", out}
	}
	const many = 1000 // never reached: the signal comes after the first epoch
	cut := filepath.Join(dir, "cut.safetensors")
	p := clitest.Start(t, bin, args(cut, many)...)
	p.WaitLines(t, 1) // epoch 1 is finished and its state written
	p.Signal(t, os.Interrupt)
	r := p.Wait(t).Want(t, 130)
	var k int
	if _, err := fmt.Sscanf(r.Stderr, "glimpse: interrupted: %d of", &k); err != nil || k < 1 ||
		r.Stderr != fmt.Sprintf("glimpse: interrupted: %d of %d epochs done; --resume continues with epoch %d\n", k, many, k+1) {
		t.Fatalf("stderr %q", r.Stderr)
	}
	if n := len(clitest.Lines(r.Stdout)); n != k {
		t.Fatalf("%d epoch lines for %d epochs done", n, k)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*")); len(leftovers) > 0 {
		t.Fatalf("temporary files left: %q", leftovers)
	}

	r = clitest.Run(t, bin, append(args(cut, k+1), "--resume")...).Want(t, 0)
	if lines := clitest.Lines(r.Stdout); len(lines) != 1 || !strings.HasPrefix(lines[0], fmt.Sprintf(`{"epoch":%d,`, k+1)) {
		t.Fatalf("resumed run printed %q, want one line for epoch %d", r.Stdout, k+1)
	}
	whole := filepath.Join(dir, "whole.safetensors")
	clitest.Run(t, bin, args(whole, k+1)...).Want(t, 0)
	sameTensors(t, trainrun.StatePath(whole), trainrun.StatePath(cut))
	sameTensors(t, whole, cut)
}

// sameTensors fails unless the files hold the same tensors, bit for bit.
func sameTensors(t *testing.T, a, b string) {
	t.Helper()
	fa, err := ckpt.Read(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := ckpt.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fa.Tensors) != len(fb.Tensors) {
		t.Fatalf("%s has %d tensors, %s %d", a, len(fa.Tensors), b, len(fb.Tensors))
	}
	for n, x := range fa.Tensors {
		y, ok := fb.Tensors[n]
		if !ok || len(x.Float) != len(y.Float) || len(x.Int) != len(y.Int) {
			t.Fatalf("tensor %q differs in shape", n)
		}
		for i := range x.Float {
			if math.Float32bits(x.Float[i]) != math.Float32bits(y.Float[i]) {
				t.Fatalf("%s: tensor %q[%d]: %g vs %g", filepath.Base(b), n, i, x.Float[i], y.Float[i])
			}
		}
		for i := range x.Int {
			if x.Int[i] != y.Int[i] {
				t.Fatalf("%s: tensor %q[%d] differs", filepath.Base(b), n, i)
			}
		}
	}
}
