package nonlocal

import (
	"image"
	"math"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
)

// Links finds the same weights the block returned, at the key cell it
// names, for every extent; the weights come back largest first.
func TestLinks(t *testing.T) {
	for _, name := range []string{"nl", "space", "time", "image", "five"} {
		cfg := modelCases()[name]
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			m.Train(false)
			tp := autograd.NewInference()
			out := m.Forward(tp, tp.Const(randInput(cfg, 2, 8)))
			site := len(out.Sites) - 1
			q := Point{T: max(cfg.Frames-1, 0), X: 1, Y: 6}
			links, err := m.Links(out, site, 1, q, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for i, l := range links {
				sum += float64(l.Weight)
				if i > 0 && l.Weight > links[i-1].Weight {
					t.Fatal("links not sorted")
				}
				if l.X < 0 || l.Y < 0 || l.X > float64(cfg.Side) || l.Y > float64(cfg.Side) || l.T < 0 || l.T >= max(cfg.Frames, 1) {
					t.Fatalf("link %+v outside the input", l)
				}
				if cfg.Extent == Space && l.T != q.T {
					t.Fatalf("space-only link into frame %d", l.T)
				}
			}
			// Softmax rows sum to one.
			if cfg.Pairwise == Embedded && math.Abs(sum-1) > 1e-4 {
				t.Fatalf("weights sum to %g", sum)
			}
			if _, err := m.Links(out, site, 0, Point{X: float64(cfg.Side)}, 3); err == nil {
				t.Fatal("query outside the input: no error")
			}
			qs, err := m.TopQueries(out, site, 0, 3)
			if err != nil || len(qs) != 3 {
				t.Fatalf("TopQueries: %v %v", qs, err)
			}
		})
	}
}

func TestMapPointAndInput(t *testing.T) {
	m, err := New(tinyConfig(1, SpaceTime), 1) // 3 frames of 8×8
	if err != nil {
		t.Fatal(err)
	}
	// A 6-frame 16×32 clip: frames 0, 2, 4 feed model frames 0, 1, 2.
	p := m.MapPoint(Point{T: 3, X: 16, Y: 8}, 32, 16, 6)
	if p.T != 1 || p.X != 4 || p.Y != 4 {
		t.Fatalf("MapPoint: %+v", p)
	}
	var frames []image.Image
	for i := 0; i < 6; i++ {
		img := image.NewGray(image.Rect(0, 0, 32, 16))
		for j := range img.Pix {
			img.Pix[j] = uint8(40 * i)
		}
		frames = append(frames, img)
	}
	x, err := m.Input(frames)
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range []float32{0, 80, 160} {
		if got := x[f*64]; math.Abs(float64(got-want/255)) > 1e-6 {
			t.Fatalf("model frame %d: %g, want source frame %d", f, got, 2*f)
		}
	}
}

func TestVariantsAndMarkdown(t *testing.T) {
	ref, err := DefaultConfig("sum")
	if err != nil {
		t.Fatal(err)
	}
	vs := Variants(ref)
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
		if err := v.Cfg.Validate(); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
	}
	want := "baseline gaussian embedded dot concat res2 res3 res5 5 blocks space time"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("variants %q, want %q", got, want)
	}
	var rows []AblateRow
	for _, v := range vs {
		rows = append(rows, AblateRow{Group: v.Group, Variant: v.Name, Name: v.Cfg.Name(), GFLOPs: v.Cfg.GFLOPs()})
	}
	md := AblationMarkdown(rows, ref)
	for _, s := range []string{"(a) pairwise", "(b) stage", "(c) number", "(d) space", "| 71.8 |", "| 73.8 |", "NL C2D (1 embedded, res4)"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	// The image reference has no extent group.
	img, _ := DefaultConfig("cluttered60")
	for _, v := range Variants(img) {
		if v.Group == "d" {
			t.Errorf("image variant %s in group d", v.Name)
		}
	}
}
