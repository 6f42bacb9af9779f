package imageio

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

func TestToTensorColor(t *testing.T) {
	cases := []struct {
		name string
		c    color.Color
		rgb  [3]float32 // expected channels for ToTensor(img, false)
	}{
		{"opaque", color.RGBA{255, 128, 0, 255}, [3]float32{1, 128.0 / 255, 0}},
		{"half transparent white over black", color.NRGBA{255, 255, 255, 128}, [3]float32{128.0 / 255, 128.0 / 255, 128.0 / 255}},
		{"transparent", color.NRGBA{255, 0, 0, 0}, [3]float32{0, 0, 0}},
		{"16-bit", color.RGBA64{65535, 0, 32768, 65535}, [3]float32{1, 0, 32768.0 / 65535}},
	}
	for _, c := range cases {
		for _, img := range []interface {
			image.Image
			Set(int, int, color.Color)
		}{image.NewRGBA(image.Rect(0, 0, 1, 1)), image.NewNRGBA(image.Rect(0, 0, 1, 1)), image.NewRGBA64(image.Rect(0, 0, 1, 1))} {
			img.Set(0, 0, c.c)
			if _, is16 := img.(*image.RGBA64); !is16 && c.name == "16-bit" {
				continue // 8-bit storage rounds the 16-bit test colour
			}
			got := ToTensor(img, false).Data
			for ch := range 3 {
				if math.Abs(float64(got[ch]-c.rgb[ch])) > 1.0/255 {
					t.Errorf("%s in %T: channel %d = %g, want %g", c.name, img, ch, got[ch], c.rgb[ch])
				}
			}
			gray := ToTensor(img, true).Data[0]
			want := 0.299*got[0] + 0.587*got[1] + 0.114*got[2]
			if math.Abs(float64(gray-want)) > 1e-6 {
				t.Errorf("%s in %T: gray %g, want BT.601 luma %g", c.name, img, gray, want)
			}
		}
	}
}

// An image built from a tensor converts back to the same tensor.
func TestTensorRoundTrip(t *testing.T) {
	for _, c := range []int{1, 3} {
		src := tensor.New(c, 3, 5)
		for i := range src.Data {
			src.Data[i] = float32(i*7%256) / 255
		}
		img := FromTensor(src)
		back := ToTensor(img, c == 1)
		if d := maxDiff(back.Data, src.Data); d > 1e-7 {
			t.Errorf("C=%d: round trip differs by %g", c, d)
		}
		if c == 3 {
			// Gray from an RGB image is the BT.601 mix of the channels.
			g := ToTensor(img, true)
			want := 0.299*src.Data[7] + 0.587*src.Data[15+7] + 0.114*src.Data[30+7]
			if math.Abs(float64(g.Data[7]-want)) > 1e-6 {
				t.Errorf("gray %g, want %g", g.Data[7], want)
			}
		}
	}
	// A sub-image with a non-zero origin converts its own pixels.
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	sub := ToTensor(img.SubImage(image.Rect(1, 2, 3, 4)), true)
	if !tensor.SameShape(sub.Shape, []int{1, 2, 2}) || sub.Data[0] != 9.0/255 || sub.Data[3] != 14.0/255 {
		t.Errorf("sub-image tensor %v", sub)
	}
}

func TestFromTensorClamps(t *testing.T) {
	src := tensor.FromData([]float32{-1, 0.5, 2, float32(math.NaN())}, 1, 2, 2)
	g := FromTensor(src).(*image.Gray)
	if want := []uint8{0, 128, 255, 0}; !bytes.Equal(g.Pix, want) {
		t.Errorf("pixels %v, want %v", g.Pix, want)
	}
	if _, ok := FromTensor(tensor.New(4, 4)).(*image.Gray); !ok {
		t.Error("[H,W] should give a gray image")
	}
	if _, ok := FromTensor(tensor.New(3, 2, 2)).(*image.RGBA); !ok {
		t.Error("[3,H,W] should give an RGBA image")
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "[2 2 2]") {
			t.Errorf("want a panic naming the shape, got %v", p)
		}
	}()
	FromTensor(tensor.New(2, 2, 2))
}

// Attention maps survive a 16-bit PNG round trip to 1/65535.
func TestGray16FromTensor(t *testing.T) {
	src := tensor.FromData([]float32{0, 1e-4, 0.3, 1, 1.5, -2}, 1, 2, 3)
	var buf bytes.Buffer
	if err := png.Encode(&buf, Gray16FromTensor(src)); err != nil {
		t.Fatal(err)
	}
	img, err := Decode(&buf, "attn.png", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := ToTensor(img, true).Data
	want := []float32{0, 1e-4, 0.3, 1, 1, 0}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 0.5/65535+1e-7 {
			t.Errorf("value %d: %g, want %g", i, got[i], want[i])
		}
	}
	if got[1] == 0 {
		t.Error("a weight of 1e-4 must not vanish")
	}
}

func TestNormalize(t *testing.T) {
	x := tensor.New(2, 3, 1, 1) // batch of two
	x.Fill(0.5)
	Normalize(x, ImageNetMean[:], ImageNetStd[:])
	for n := range 2 {
		for c := range 3 {
			want := (0.5 - ImageNetMean[c]) / ImageNetStd[c]
			if got := x.Data[n*3+c]; math.Abs(float64(got-want)) > 1e-6 {
				t.Errorf("n=%d c=%d: %g, want %g", n, c, got, want)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("mismatched channel count must panic")
		}
	}()
	Normalize(tensor.New(1, 2, 2), ImageNetMean[:], ImageNetStd[:])
}
