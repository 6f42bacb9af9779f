package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
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

// A frame of at most 256 colours keeps every pixel exactly, in a palette
// of just its colours in order of first appearance; a frame of one colour
// more, or not opaque, goes to the Plan 9 palette.
func TestBuildGIFExactPalette(t *testing.T) {
	frame := func(colours, shift int) *image.RGBA {
		m := image.NewRGBA(image.Rect(5, 7, 5+30, 7+20)) // an origin other than (0, 0)
		for y := range 20 {
			for x := range 30 {
				k := (x + 30*y + shift) % colours
				m.SetRGBA(5+x, 7+y, color.RGBA{uint8(k), uint8(k >> 8), uint8(255 - k), 255})
			}
		}
		return m
	}
	translucent := frame(4, 0)
	translucent.SetRGBA(6, 8, color.RGBA{0, 0, 0, 0})
	frames := []image.Image{frame(1, 0), frame(2, 1), frame(255, 0), frame(256, 0), frame(257, 0), translucent}
	ownColours := []int{1, 2, 255, 256, 0, 0} // 0: Plan 9
	g, err := BuildGIF(frames, GIFOptions{Threads: 2})
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
	for i, f := range frames {
		pal := g.Image[i].Palette
		if n := ownColours[i]; n == 0 {
			if len(pal) != 256 || pal[1] != palette.Plan9[1] {
				t.Errorf("frame %d: not the Plan 9 palette", i)
			}
			continue
		} else if len(pal) != n {
			t.Fatalf("frame %d: palette of %d, want its %d colours", i, len(pal), n)
		}
		if want := f.At(5, 7); pal[0] != want {
			t.Errorf("frame %d: palette starts with %v, want the first pixel's %v", i, pal[0], want)
		}
		b := f.Bounds()
		for y := range b.Dy() {
			for x := range b.Dx() {
				if got, want := color.RGBAModel.Convert(back.Image[i].At(x, y)), f.At(b.Min.X+x, b.Min.Y+y); got != want {
					t.Fatalf("frame %d (%d,%d) is %v, want %v", i, x, y, got, want)
				}
			}
		}
	}
}
