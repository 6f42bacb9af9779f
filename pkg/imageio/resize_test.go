package imageio

import (
	"image"
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/tensor"
)

func TestResizeTensorValues(t *testing.T) {
	cases := []struct {
		name string
		in   []float32
		out  int
		m    ResizeMethod
		want []float32
	}{
		// torch.nn.functional.interpolate(x, size=4, mode="bilinear",
		// align_corners=False) on [0, 1] along one axis.
		{"bilinear up", []float32{0, 1}, 4, Bilinear, []float32{0, 0.25, 0.75, 1}},
		{"bilinear same", []float32{3, 1, 2}, 3, Bilinear, []float32{3, 1, 2}},
		{"bilinear halve", []float32{0, 1, 2, 3}, 2, Bilinear, []float32{0.5, 2.5}},
		{"area halve", []float32{0, 1, 2, 3}, 2, Area, []float32{0.5, 2.5}},
		// 3 -> 2: each output covers 1.5 inputs, the middle one half each.
		{"area fractional", []float32{0, 3, 6}, 2, Area, []float32{1, 5}},
		{"area same", []float32{3, 1, 2}, 3, Area, []float32{3, 1, 2}},
	}
	for _, c := range cases {
		// Along x ([1,1,W]) and along y ([1,H,1]) the result must agree.
		row := ResizeTensor(tensor.FromData(c.in, 1, 1, len(c.in)), 1, c.out, c.m)
		col := ResizeTensor(tensor.FromData(c.in, 1, len(c.in), 1), c.out, 1, c.m)
		for i, w := range c.want {
			if math.Abs(float64(row.Data[i]-w)) > 1e-6 || math.Abs(float64(col.Data[i]-w)) > 1e-6 {
				t.Errorf("%s: [%d] = %g (x), %g (y), want %g", c.name, i, row.Data[i], col.Data[i], w)
			}
		}
	}
}

// Weights sum to one: a constant image stays constant at any size.
func TestResizeTensorPreservesConstant(t *testing.T) {
	src := tensor.New(3, 7, 11)
	src.Fill(0.25)
	for _, m := range []ResizeMethod{Bilinear, Area} {
		for _, sz := range [][2]int{{1, 1}, {3, 5}, {7, 11}, {13, 4}, {20, 30}} {
			out := ResizeTensor(src, sz[0], sz[1], m)
			if !tensor.SameShape(out.Shape, []int{3, sz[0], sz[1]}) {
				t.Fatalf("%v %v: shape %v", m, sz, out.Shape)
			}
			for _, v := range out.Data {
				if math.Abs(float64(v-0.25)) > 1e-6 {
					t.Fatalf("%v %v: value %g", m, sz, v)
				}
			}
		}
	}
	if out := ResizeTensor(tensor.New(4, 6), 2, 3, Area); !tensor.SameShape(out.Shape, []int{2, 3}) {
		t.Errorf("[H,W] input gave %v", out.Shape)
	}
}

func TestResizeImage(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for _, m := range []ResizeMethod{Bilinear, Area} {
		if b := Resize(src, 10, 0, m).Bounds(); b.Dx() != 10 || b.Dy() != 5 {
			t.Errorf("%v: %v, want 10x5", m, b)
		}
	}
}
