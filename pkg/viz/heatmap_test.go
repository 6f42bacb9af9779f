package viz

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

func TestHeatmapSizeAndBlend(t *testing.T) {
	// A 30x20 picture with a non-zero origin and a 2x3 attention grid.
	img := image.NewNRGBA(image.Rect(5, 7, 35, 27))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 31)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	attn := tensor.FromData([]float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.7}, 1, 2, 3)
	for _, alpha := range []float64{DefaultAlpha, 0, 1, 0.75} {
		out, err := Heatmap(img, attn, Viridis(), alpha)
		if err != nil {
			t.Fatal(err)
		}
		if out.Rect != image.Rect(0, 0, 30, 20) {
			t.Fatalf("bounds %v, want 30x20 at the origin", out.Rect)
		}
		up, _ := Upsample(attn, 20, 30)
		for _, p := range []image.Point{{0, 0}, {29, 19}, {12, 9}, {17, 3}} {
			v := (up.Data[p.Y*30+p.X] - 0.1) / (0.7 - 0.1) // min-max
			heat := Viridis().At(float64(v))
			src := color.RGBAModel.Convert(img.At(5+p.X, 7+p.Y)).(color.RGBA)
			got := out.RGBAAt(p.X, p.Y)
			want := color.RGBA{blend(src.R, heat.R, alpha), blend(src.G, heat.G, alpha), blend(src.B, heat.B, alpha), 255}
			if got != want {
				t.Errorf("alpha %g at %v: %v, want %v", alpha, p, got, want)
			}
		}
	}
}

func blend(img, heat uint8, alpha float64) uint8 {
	return uint8(math.Floor((1-alpha)*float64(img) + alpha*float64(heat) + 0.5))
}

// Upsampling follows F.interpolate(mode="bilinear", align_corners=False):
// a 1x2 grid [0,1] stretched to width 4 is [0, 0.25, 0.75, 1].
func TestUpsampleAlignCornersFalse(t *testing.T) {
	up, err := Upsample(tensor.FromData([]float32{0, 1}, 1, 1, 1, 2), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{0, 0.25, 0.75, 1} {
		if math.Abs(float64(up.Data[i]-want)) > 1e-6 {
			t.Errorf("[%d] = %g, want %g", i, up.Data[i], want)
		}
	}
}

func TestHeatmapRangeAndErrors(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	attn := tensor.FromData([]float32{0.25, 0.25, 0.25, 0.25}, 2, 2)
	// Fixed range [0,1]: 0.25 everywhere maps to entry 64, with alpha 1.
	out, err := HeatmapRange(img, attn, Gray(), 1, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.RGBAAt(2, 2); got != (color.RGBA{64, 64, 64, 255}) {
		t.Errorf("fixed range: %v", got)
	}
	// Min-max of a constant grid shows everything at the low end.
	out, _ = Heatmap(img, attn, Gray(), 1)
	if got := out.RGBAAt(1, 1); got != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("constant grid: %v", got)
	}
	// A NaN does not spoil the range of the others.
	withNaN := tensor.FromData([]float32{0, float32(math.NaN()), 1, 1}, 2, 2)
	out, _ = Heatmap(image.NewGray(image.Rect(0, 0, 2, 2)), withNaN, Gray(), 1)
	if out.RGBAAt(0, 0).R != 0 || out.RGBAAt(0, 1).R != 255 {
		t.Errorf("NaN grid: %v %v", out.RGBAAt(0, 0), out.RGBAAt(0, 1))
	}
	bad := []struct {
		name  string
		attn  *tensor.Tensor
		alpha float64
	}{
		{"alpha > 1", attn, 1.5},
		{"alpha NaN", attn, math.NaN()},
		{"nil grid", nil, 0.4},
		{"3 channels", tensor.New(3, 2, 2), 0.4},
		{"empty", tensor.New(0, 2), 0.4},
	}
	for _, b := range bad {
		if _, err := Heatmap(img, b.attn, nil, b.alpha); err == nil {
			t.Errorf("%s: want an error", b.name)
		}
	}
}

func TestGridTensor(t *testing.T) {
	g, err := GridTensor([][]float32{{1, 2, 3}, {4, 5, 6}})
	if err != nil || !tensor.SameShape(g.Shape, []int{2, 3}) || g.Data[4] != 5 {
		t.Errorf("GridTensor: %v, %v", g, err)
	}
	if _, err := GridTensor([][]float32{{1, 2}, {3}}); err == nil {
		t.Error("ragged grid must be an error")
	}
	if _, err := GridTensor(nil); err == nil {
		t.Error("empty grid must be an error")
	}
}

// HeatmapInto draws what Heatmap draws, into the picture it is given when
// that has the right size; UpsampleRows hands out Upsample's rows.
func TestHeatmapIntoAndRows(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 40, 25))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	a := tensor.FromData([]float32{0.3, 0.1, 0.9, 0.4, 0.2, 0.6}, 2, 3)
	b := tensor.FromData([]float32{1, 2, 3, 4}, 1, 1, 2, 2)
	var buf *image.RGBA
	for _, attn := range []*tensor.Tensor{a, b} {
		want, err := Heatmap(img, attn, Jet(), 0.5)
		if err != nil {
			t.Fatal(err)
		}
		prev := buf
		if buf, err = HeatmapInto(buf, img, attn, Jet(), 0.5); err != nil {
			t.Fatal(err)
		}
		if prev != nil && buf != prev {
			t.Error("a picture of the right size was not reused")
		}
		if string(buf.Pix) != string(want.Pix) {
			t.Error("HeatmapInto differs from Heatmap")
		}
	}
	if got, _ := HeatmapInto(image.NewRGBA(image.Rect(0, 0, 3, 3)), img, a, nil, 0.5); got.Rect != image.Rect(0, 0, 40, 25) {
		t.Errorf("a wrong-sized picture gave bounds %v", got.Rect)
	}
	up, _ := Upsample(a, 25, 40)
	rows := 0
	if err := UpsampleRows(a, 25, 40, func(y int, row []float32) {
		rows++
		for x, v := range row {
			if v != up.Data[y*40+x] {
				t.Fatalf("row %d col %d: %g, want %g", y, x, v, up.Data[y*40+x])
			}
		}
	}); err != nil || rows != 25 {
		t.Errorf("UpsampleRows: %d rows, %v", rows, err)
	}
	if err := UpsampleRows(tensor.New(2, 2, 2), 4, 4, func(int, []float32) {}); err == nil {
		t.Error("UpsampleRows took a [2,2,2] grid")
	}
}
