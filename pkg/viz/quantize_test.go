package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"math/rand/v2"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

// TestQuantizerMatchesDraw checks that quantizer.draw writes the indices
// image/draw writes, with and without dithering, for palettes with ties
// and translucent entries and for sources of every kind.
func TestQuantizerMatchesDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gray := make(color.Palette, 16)
	for i := range gray {
		gray[i] = color.Gray{uint8(i * 17)}
	}
	// Equal entries tie: draw keeps the first. Translucent entries are
	// never inside a cell's opaque assumption.
	odd := color.Palette{color.RGBA{10, 10, 10, 255}, color.RGBA{200, 0, 0, 255}, color.RGBA{10, 10, 10, 255},
		color.NRGBA{0, 255, 0, 128}, color.RGBA{0, 0, 0, 0}, color.RGBA{200, 0, 0, 255}, color.White}
	palettes := map[string]color.Palette{
		"plan9": palette.Plan9, "websafe": palette.WebSafe, "gray": gray, "ties": odd,
		"one": {color.RGBA{90, 40, 200, 255}},
	}

	noise := image.NewRGBA(image.Rect(0, 0, 37, 23))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	for i := 3; i < len(noise.Pix); i += 4 {
		noise.Pix[i] = 255
	}
	ramp := image.NewRGBA(image.Rect(0, 0, 64, 16))
	for y := range 16 {
		for x := range 64 {
			ramp.SetRGBA(x, y, color.RGBA{uint8(4 * x), uint8(16 * y), uint8(255 - 4*x), 255})
		}
	}
	attn := tensor.New(4, 4)
	for i := range attn.Data {
		attn.Data[i] = rng.Float32()
	}
	jet, err := Colormap("jet")
	if err != nil {
		t.Fatal(err)
	}
	heat, err := HeatmapInto(nil, ramp, attn, jet, 0.4)
	if err != nil {
		t.Fatal(err)
	}
	translucent := image.NewNRGBA(image.Rect(0, 0, 19, 11))
	for i := range translucent.Pix {
		translucent.Pix[i] = uint8(rng.IntN(256))
	}
	grayImg := image.NewGray(image.Rect(0, 0, 21, 13))
	for i := range grayImg.Pix {
		grayImg.Pix[i] = uint8(rng.IntN(256))
	}
	sources := map[string]struct {
		img image.Image
		sp  image.Point
	}{
		"noise":        {noise, image.Point{}},
		"ramp":         {ramp, image.Point{}},
		"heatmap":      {heat, image.Point{}},
		"translucent":  {translucent, image.Point{}},
		"gray":         {grayImg, image.Point{}},
		"offset rgba":  {noise.SubImage(image.Rect(5, 3, 30, 20)), image.Pt(5, 3)},
		"offset noise": {noise, image.Pt(2, 1)},
	}
	for pn, pal := range palettes {
		for sn, src := range sources {
			for _, dither := range []bool{true, false} {
				size := src.img.Bounds().Intersect(image.Rectangle{Min: src.sp, Max: src.img.Bounds().Max}).Size()
				rect := image.Rectangle{Min: image.Pt(3, 2), Max: image.Pt(3, 2).Add(size)}
				want := image.NewPaletted(rect, pal)
				if dither {
					draw.FloydSteinberg.Draw(want, rect, src.img, src.sp)
				} else {
					draw.Src.Draw(want, rect, src.img, src.sp)
				}
				got := image.NewPaletted(rect, pal)
				newQuantizer(pal).draw(got, src.img, src.sp, dither, nil, 0)
				if !bytes.Equal(got.Pix, want.Pix) {
					t.Errorf("palette %s, source %s, dither %v: indices differ from image/draw's", pn, sn, dither)
				}
			}
		}
	}
}

// BenchmarkBuildGIF quantises eight 364×364 frames like those of a
// glimpse path: a black canvas, a blurred gray blob, coloured boxes and
// arrows.
func BenchmarkBuildGIF(b *testing.B) {
	var frames []image.Image
	for i := range 8 {
		m := canvas(364, 364)
		for y := range 364 {
			for x := range 364 {
				dx, dy := float64(x-180), float64(y-170)
				v := uint8(max(0, 255-(dx*dx+dy*dy)/40))
				m.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			}
		}
		for k := range i {
			Rect(m, image.Rect(20+30*k, 40+20*k, 120+30*k, 140+20*k), color.RGBA{255, uint8(60 * k), 0, 255}, 2)
			Arrow(m, float64(30*k), 40, float64(30*k+60), 100, 1.5, color.RGBA{255, 255, 255, 200})
		}
		frames = append(frames, m)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := BuildGIF(frames, GIFOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
