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

// play composes the frames of a decoded GIF as a viewer shows them
// (disposal "none": a frame's opaque pixels replace what was there).
func play(g *gif.GIF) []*image.RGBA {
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var shown []*image.RGBA
	for _, f := range g.Image {
		for y := f.Rect.Min.Y; y < f.Rect.Max.Y; y++ {
			for x := f.Rect.Min.X; x < f.Rect.Max.X; x++ {
				if c := f.Palette[f.ColorIndexAt(x, y)]; func() bool { _, _, _, a := c.RGBA(); return a != 0 }() {
					canvas.Set(x, y, c)
				}
			}
		}
		shown = append(shown, image.NewRGBA(canvas.Rect))
		copy(shown[len(shown)-1].Pix, canvas.Pix)
	}
	return shown
}

// roundTrip encodes and decodes g.
func roundTrip(t *testing.T, g *gif.GIF) *gif.GIF {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	back, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
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
	for _, c := range []struct {
		f       *image.RGBA
		colours int // 0: Plan 9
	}{{frame(1, 0), 1}, {frame(2, 1), 2}, {frame(255, 0), 255}, {frame(256, 0), 256}, {frame(257, 0), 0}, {translucent, 0}} {
		g, err := BuildGIF([]image.Image{c.f}, GIFOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pal := g.Image[0].Palette
		if c.colours == 0 {
			if len(pal) != 256 || pal[1] != palette.Plan9[1] {
				t.Errorf("%d colours: not the Plan 9 palette", len(pal))
			}
			continue
		}
		if len(pal) != c.colours {
			t.Fatalf("palette of %d, want the frame's %d colours", len(pal), c.colours)
		}
		if want := c.f.At(5, 7); pal[0] != want {
			t.Errorf("%d colours: palette starts with %v, want the first pixel's %v", c.colours, pal[0], want)
		}
		if got := play(roundTrip(t, g))[0]; !bytes.Equal(got.Pix, c.f.Pix) {
			t.Errorf("%d colours: pixels changed", c.colours)
		}
	}
}

// Frames after the first hold only the rectangle that changed, with the
// unchanged pixels in it transparent; played back, frames of few colours
// are their sources exactly, and an unchanged frame is one transparent
// pixel. Frames of many colours are dithered only where they changed.
func TestBuildGIFDeltaFrames(t *testing.T) {
	still := func(colours, shift int) *image.RGBA {
		m := image.NewRGBA(image.Rect(0, 0, 40, 30))
		for y := range 30 {
			for x := range 40 {
				k := (x*7 + y*13 + shift) % colours
				m.SetRGBA(x, y, color.RGBA{uint8(k * 3), uint8(k), uint8(255 - k), 255})
			}
		}
		return m
	}
	for _, colours := range []int{50, 256 * 3} {
		var frames []image.Image
		for i := range 7 {
			m := still(colours, 0)
			switch i {
			case 5: // the left 16 columns change: the dithered delta when there are many colours
				shifted := still(colours, 1)
				for y := range 30 {
					copy(m.Pix[y*m.Stride:y*m.Stride+4*16], shifted.Pix[y*m.Stride:])
				}
			case 6: // everything changes: a whole frame
				m = still(colours, 2)
			}
			if i != 3 { // frame 3 repeats frame 2
				Rect(m, image.Rect(3+5*min(i, 2), 4, 13+5*min(i, 2), 14), color.RGBA{255, 0, 0, 255}, 2)
			}
			if i == 3 {
				copy(m.Pix, frames[2].(*image.RGBA).Pix)
			}
			frames = append(frames, m)
		}
		g, err := BuildGIF(frames, GIFOptions{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		if r := g.Image[1].Rect; r.Dx() >= 40 || r.Dy() >= 30 || r.Empty() {
			t.Errorf("%d colours: frame 1 covers %v, want the changed rectangle only", colours, r)
		}
		if r := g.Image[3].Rect; r.Dx()*r.Dy() != 1 {
			t.Errorf("%d colours: unchanged frame 3 covers %v, want one pixel", colours, r)
		}
		if r := g.Image[5].Rect; r != image.Rect(0, 0, 16, 30) {
			t.Errorf("%d colours: frame 5 covers %v, want its changed columns", colours, r)
		}
		if r := g.Image[6].Rect; r != image.Rect(0, 0, 40, 30) {
			t.Errorf("%d colours: frame 6 covers %v, want the whole frame", colours, r)
		}
		shown := play(roundTrip(t, g))
		for i, f := range frames {
			src := f.(*image.RGBA)
			if colours <= 255 {
				if !bytes.Equal(shown[i].Pix, src.Pix) {
					t.Errorf("%d colours: frame %d is not its source", colours, i)
				}
				continue
			}
			// Dithered: pixels that did not change since the frame before
			// show what they showed; the mean error stays small.
			var sum, n float64
			for p := 0; p < len(src.Pix); p += 4 {
				if i > 0 && i < 6 && [4]uint8(src.Pix[p:]) == [4]uint8(frames[i-1].(*image.RGBA).Pix[p:]) && [4]uint8(shown[i].Pix[p:]) != [4]uint8(shown[i-1].Pix[p:]) {
					t.Fatalf("frame %d: an unchanged pixel changed", i)
				}
				for c := range 3 {
					sum += float64(shown[i].Pix[p+c]) - float64(src.Pix[p+c])
					n++
				}
			}
			if mean := sum / n; mean > 4 || mean < -4 {
				t.Errorf("frame %d: mean error %.1f", i, mean)
			}
		}
	}
}
