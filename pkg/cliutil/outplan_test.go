package cliutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/imageio"
)

func TestPlanOutputs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a/x.png", "b/x.png", "c/y.png", "c/y_out.png"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("img"), 0o644)
	}
	in := func(f string) string { return filepath.Join(dir, f) }
	out := filepath.Join(dir, "out")
	inputs := []string{in("a/x.png"), in("b/x.png"), in("c/y.png"), in("c/y.png"), in("c/y_out.png")}
	p := PlanOutputs(out, inputs, Output{"_out", "png"}, Output{"_out", "gif"})
	hashed := func(f, suffix, ext string) string {
		h, err := imageio.HashedOutputPath(out, in(f), suffix, ext)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for _, c := range []struct {
		input string
		want  []string
	}{
		// Two inputs named x.png: both get hashed names, for every output.
		{in("a/x.png"), []string{hashed("a/x.png", "_out", "png"), hashed("a/x.png", "_out", "gif")}},
		{in("b/x.png"), []string{hashed("b/x.png", "_out", "png"), hashed("b/x.png", "_out", "gif")}},
		// The same input twice is one input.
		{in("c/y.png"), []string{filepath.Join(out, "y_out.png"), filepath.Join(out, "y_out.gif")}},
	} {
		got, err := p.For(c.input)
		if err != nil || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v %v, want %v", c.input, got, err, c.want)
		}
	}
	// Names that differ only in case collide on macOS and Windows: both
	// are hashed. The order of the inputs does not change a name.
	cased := []string{"photos/dog.jpg", "more/Dog.png"}
	for _, order := range [][]string{cased, {cased[1], cased[0]}} {
		p := PlanOutputs("out", order, Output{"_attn", "png"})
		for _, f := range cased {
			got, err := p.For(f)
			h, _ := imageio.HashedOutputPath("out", f, "_attn", "png")
			if err != nil || len(got) != 1 || got[0] != h {
				t.Errorf("%v: %s got %v %v, want %s", order, f, got, err, h)
			}
		}
	}
	if _, err := p.For("never-given.png"); err == nil {
		t.Error("an input outside the batch has paths")
	}
	// Writing next to the inputs: y.png's output would be the input
	// y_out.png, so y.png is refused and y_out.png is planned.
	p = PlanOutputs(in("c"), []string{in("c/y.png"), in("c/y_out.png")}, Output{"_out", "png"})
	if _, err := p.For(in("c/y.png")); err == nil || !strings.Contains(err.Error(), "would overwrite the input") {
		t.Errorf("y.png: %v", err)
	}
	if got, err := p.For(in("c/y_out.png")); err != nil || len(got) != 1 || got[0] != in("c/y_out_out.png") {
		t.Errorf("y_out.png: %v %v", got, err)
	}
	// An empty suffix names the input itself.
	p = PlanOutputs(in("c"), []string{in("c/y.png")}, Output{"", "png"})
	if got, err := p.For(in("c/y.png")); err == nil {
		t.Errorf("self-overwrite planned: %v", got)
	}
}

func TestRound(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want float64
	}{{1.234, 2, 1.23}, {1.235, 1, 1.2}, {0.125, 2, 0.13}, {12.5, 0, 13}, {0.41875, 4, 0.4188}, {-1.25, 1, -1.3}} {
		if got := Round(c.v, c.d); got != c.want {
			t.Errorf("Round(%v, %d) = %v, want %v", c.v, c.d, got, c.want)
		}
	}
}

func TestFailureLine(t *testing.T) {
	tooBig := fmt.Errorf("big.png: 9x9 pixels exceeds the limit of 4 pixels: %w", imageio.ErrTooManyPixels)
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("a.png: truncated PNG data"), "t: a.png: truncated PNG data"},
		{fmt.Errorf("a.png.tmp: bad"), "t: a.png: a.png.tmp: bad"},
		{fmt.Errorf("bad"), "t: a.png: bad"},
		{fmt.Errorf("a.png: empty"), "t: a.png: empty"},
		{fmt.Errorf("two\nlines"), "t: a.png: two lines"},
		{tooBig, "t: a.png: " + tooBig.Error() + " (see --max-pixels)"},
		{fmt.Errorf("a.png: 9x9 pixels: %w", imageio.ErrTooManyPixels), "t: a.png: 9x9 pixels: too many pixels (see --max-pixels)"},
	} {
		if got := FailureLine("t", "a.png", c.err); got != c.want {
			t.Errorf("FailureLine(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
