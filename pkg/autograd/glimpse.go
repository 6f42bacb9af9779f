package autograd

import (
	"fmt"
	"math"
)

// cropGrid maps output index k of a g-point axis to the sampling
// coordinate in pixel-index units (pixel p is centred at p) and splits it
// into the lower neighbour and the weight of the upper one.
//
// The location l ∈ [-1, 1] puts the glimpse centre at (l+1)/2·extent in
// continuous coordinates where pixel p covers [p, p+1), so l = 0 is the
// image centre and ±1 its edges (the mapping of RAM, Mnih et al. 2014,
// §3). The crop spans size pixels around that centre and output sample k
// sits at the centre of the k-th of g equal cells across it, as
// grid_sample with align_corners=False does.
func cropGrid(l float32, extent, size, g, k int) (p0 int, frac float32) {
	centre := (float64(l) + 1) / 2 * float64(extent)
	u := centre - float64(size)/2 + (float64(k)+0.5)*float64(size)/float64(g) - 0.5
	f := math.Floor(u)
	return int(f), float32(u - f)
}

// glimpsePixel returns img[y, x] of an h×w plane, or 0 outside it.
func glimpsePixel(img []float32, h, w, y, x int) float32 {
	if y < 0 || y >= h || x < 0 || x >= w {
		return 0
	}
	return img[y*w+x]
}

// CropResizeImage is the glimpse sensor's forward kernel for one image: it
// samples a size×size square of img [c, h, w] centred at (lx, ly) ∈ [-1,1]²
// (x is the column, y the row, (0, 0) the image centre) onto a g×g grid by
// bilinear interpolation, treating pixels outside the image as 0, and
// writes dst [c, g, g]. A crop of side size at scale k of a multi-scale
// glimpse is CropResizeImage with size·2ᵏ.
func CropResizeImage(dst, img []float32, c, h, w int, lx, ly float32, size, g int) {
	if len(img) != c*h*w || len(dst) != c*g*g {
		panic(fmt.Sprintf("autograd: CropResizeImage buffers %d and %d for [%d %d %d] → %d×%d",
			len(img), len(dst), c, h, w, g, g))
	}
	for i := 0; i < g; i++ {
		y0, fy := cropGrid(ly, h, size, g, i)
		for j := 0; j < g; j++ {
			x0, fx := cropGrid(lx, w, size, g, j)
			for ch := 0; ch < c; ch++ {
				p := img[ch*h*w : (ch+1)*h*w]
				top := (1-fx)*glimpsePixel(p, h, w, y0, x0) + fx*glimpsePixel(p, h, w, y0, x0+1)
				bot := (1-fx)*glimpsePixel(p, h, w, y0+1, x0) + fx*glimpsePixel(p, h, w, y0+1, x0+1)
				dst[(ch*g+i)*g+j] = (1-fy)*top + fy*bot
			}
		}
	}
}

// cropResizeBackward accumulates the gradients of CropResizeImage for one
// image: dimg [c, h, w] receives the bilinear weights times dy [c, g, g]
// (scattered; taps outside the image are dropped), and dloc [2] receives
// ∂/∂(lx, ly), the interpolation's slope along each axis times
// ∂u/∂l = extent/2. Either destination may be nil.
func cropResizeBackward(dimg, dloc, dy, img []float32, c, h, w int, lx, ly float32, size, g int) {
	var dlx, dly float64
	add := func(p []float32, y, x int, v float32) {
		if y >= 0 && y < h && x >= 0 && x < w {
			p[y*w+x] += v
		}
	}
	for i := 0; i < g; i++ {
		y0, fy := cropGrid(ly, h, size, g, i)
		for j := 0; j < g; j++ {
			x0, fx := cropGrid(lx, w, size, g, j)
			for ch := 0; ch < c; ch++ {
				gv := dy[(ch*g+i)*g+j]
				if dimg != nil {
					p := dimg[ch*h*w : (ch+1)*h*w]
					add(p, y0, x0, gv*(1-fy)*(1-fx))
					add(p, y0, x0+1, gv*(1-fy)*fx)
					add(p, y0+1, x0, gv*fy*(1-fx))
					add(p, y0+1, x0+1, gv*fy*fx)
				}
				if dloc != nil {
					p := img[ch*h*w : (ch+1)*h*w]
					v00, v01 := glimpsePixel(p, h, w, y0, x0), glimpsePixel(p, h, w, y0, x0+1)
					v10, v11 := glimpsePixel(p, h, w, y0+1, x0), glimpsePixel(p, h, w, y0+1, x0+1)
					du := (1-fy)*(v01-v00) + fy*(v11-v10)
					dv := (1-fx)*(v10-v00) + fx*(v11-v01)
					dlx += float64(gv * du)
					dly += float64(gv * dv)
				}
			}
		}
	}
	if dloc != nil {
		dloc[0] += float32(dlx * float64(w) / 2)
		dloc[1] += float32(dly * float64(h) / 2)
	}
}

// CropResize is the differentiable glimpse sensor: for each image n of
// images [N, C, H, W] it crops a size×size square centred at loc[n] =
// (x, y) ∈ [-1,1]² and resizes it to g×g by bilinear sampling with zeros
// outside the image (CropResizeImage per sample), returning [N, C, g, g].
// PyTorch's equivalent is grid_sample(images, grid, mode='bilinear',
// padding_mode='zeros', align_corners=False) with an affine grid of scale
// size/extent centred at loc. Gradients flow to the images and to the
// locations; the latter is piecewise smooth, with kinks where a sample
// point crosses a pixel centre.
//
// The op lives in the core rather than beside the glimpse model because
// that model does not use it: RAM's retina (pkg/ram) is sampled outside
// the tape, since REINFORCE, not backpropagation, teaches it where to look.
// CropResize is for a model that learns where to look through the
// gradient with respect to the location, such as a spatial transformer
// (Jaderberg et al. 2015) or an attention window that is differentiable in
// its position; CropResizeImage is its kernel, which a sensor may call on
// its own.
func (tp *Tape) CropResize(images, loc *Var, size, g int) *Var {
	if images.Value.Dims() != 4 || loc.Value.Dims() != 2 || loc.Value.Dim(1) != 2 || loc.Value.Dim(0) != images.Value.Dim(0) {
		panic(fmt.Sprintf("autograd: CropResize of images %v at locations %v", images.Value.Shape, loc.Value.Shape))
	}
	if size <= 0 || g <= 0 {
		panic(fmt.Sprintf("autograd: CropResize size %d to %d×%d", size, g, g))
	}
	n, c, h, w := images.Value.Dim(0), images.Value.Dim(1), images.Value.Dim(2), images.Value.Dim(3)
	out := tp.Alloc(n, c, g, g)
	in, l := images.Value.Data, loc.Value.Data
	plane, glimpse := c*h*w, c*g*g
	for s := 0; s < n; s++ {
		CropResizeImage(out.Data[s*glimpse:(s+1)*glimpse], in[s*plane:(s+1)*plane], c, h, w, l[2*s], l[2*s+1], size, g)
	}
	y := tp.Result(out, images, loc)
	if y.RequiresGrad {
		tp.Push(func() {
			if y.Grad == nil {
				return
			}
			for s := 0; s < n; s++ {
				var dimg, dloc []float32
				if images.RequiresGrad {
					dimg = tp.GradOf(images).Data[s*plane : (s+1)*plane]
				}
				if loc.RequiresGrad {
					dloc = tp.GradOf(loc).Data[2*s : 2*s+2]
				}
				cropResizeBackward(dimg, dloc, y.Grad.Data[s*glimpse:(s+1)*glimpse], in[s*plane:(s+1)*plane],
					c, h, w, l[2*s], l[2*s+1], size, g)
			}
		})
	}
	return y
}
