package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

func TestBuildGIF(t *testing.T) {
	var frames []image.Image
	for i := 0; i < 4; i++ {
		m := canvas(12, 9)
		Disc(m, float64(2+i*2), 4, 2, color.RGBA{uint8(60 * i), 200, 90, 255})
		frames = append(frames, m)
	}
	g, err := BuildGIF(frames, GIFOptions{Delay: 25})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	back, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Image) != 4 || back.LoopCount != 0 {
		t.Fatalf("%d frames, loop count %d; want 4 frames looping forever", len(back.Image), back.LoopCount)
	}
	for i, d := range back.Delay {
		if d != 25 {
			t.Errorf("frame %d delay %d, want 25", i, d)
		}
	}
	if back.Config.Width != 12 || back.Config.Height != 9 {
		t.Errorf("size %dx%d", back.Config.Width, back.Config.Height)
	}
	// Black is in the Plan 9 palette, so an untouched corner stays black.
	if r, g, b, _ := back.Image[0].At(11, 8).RGBA(); r|g|b != 0 {
		t.Errorf("corner not black")
	}

	g, err = BuildGIF(frames, GIFOptions{Delays: []int{10, 10, 10, 200}, NoDither: true})
	if err != nil || g.Delay[3] != 200 || g.Delay[0] != 10 {
		t.Errorf("per-frame delays: %v, %v", g.Delay, err)
	}
	for name, bad := range map[string]struct {
		frames []image.Image
		opt    GIFOptions
	}{
		"no frames":      {nil, GIFOptions{}},
		"delay count":    {frames, GIFOptions{Delays: []int{1}}},
		"size mismatch":  {append(frames[:1:1], canvas(5, 5)), GIFOptions{}},
		"nil frame":      {[]image.Image{frames[0], nil}, GIFOptions{}},
		"negative delay": {frames[:1], GIFOptions{Delay: -1}},
		"empty palette":  {frames, GIFOptions{Palette: color.Palette{}}},
	} {
		if _, err := BuildGIF(bad.frames, bad.opt); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// TestBuildGIFThreads checks that frames quantised at once, sharing the
// quantizer, give the GIF one thread gives.
func TestBuildGIFThreads(t *testing.T) {
	var frames []image.Image
	for i := range 7 {
		m := canvas(40, 30)
		for y := range 30 {
			for x := range 40 {
				m.SetRGBA(x, y, color.RGBA{uint8(6 * x), uint8(8*y + 20*i), uint8(100 + 10*i), 255})
			}
		}
		frames = append(frames, m)
	}
	encode := func(threads int) []byte {
		g, err := BuildGIF(frames, GIFOptions{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := gif.EncodeAll(&b, g); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	one := encode(1)
	for _, n := range []int{0, 2, 3, 16} {
		if !bytes.Equal(encode(n), one) {
			t.Errorf("%d threads: GIF differs from one thread's", n)
		}
	}
}
