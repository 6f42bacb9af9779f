package nlmeans

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/attnkit/attn/pkg/vec"
)

// The image is cut into fixed tiles, whatever the thread count, so that
// every pixel goes through the same kernel calls (and gets the same bits)
// however the tiles are shared out. A tile's column sums for all offsets
// (offsets × (tileW+patch−1) floats, about 460 kB for a 21×21 search) stay
// in the L2 cache while the tile's rows stream through them.
const (
	// weightShift scales every weight by e^64, which changes no result but
	// keeps weights down to e^−151 in float32's normal range (sums of a few
	// thousand weights of up to e^64 stay far from overflow).
	weightShift = 64
	tileW       = 256
	tileH       = 128
)

// frame is one picture the filter reads, padded by mirroring: dist holds
// the planes that patch distances compare (whole 8-bit levels) and vals
// the planes that are averaged. They may be the same slice.
type frame struct {
	dist, vals []float32
}

// filter is one non-local means run: its geometry and its weight
// constants in units of the box sums.
type filter struct {
	c          int // channels, compared together and averaged
	h, w       int
	patch      int
	pr, sr     int
	pad        int // mirrored border: pr + sr
	pw, ph     int // padded width and height
	bias       float32
	scale      float32
	frames     []frame
	target     int // index in frames of the picture being denoised
	nOffsets   int
	maxWorkers int
}

// newFilter prepares the constants of p for c channels: the
// weight exp(−max(d² − 2σ², 0)/h²) with d² the mean over the patch and
// channels becomes exp(−max(S − bias, 0)·scale) on the box sum S.
func newFilter(c, h, w int, p Params) *filter {
	pr, sr := p.Patch/2, p.Search/2
	pad := pr + sr
	n := float64(p.Patch * p.Patch * c)
	return &filter{
		c: c, h: h, w: w, patch: p.Patch, pr: pr, sr: sr, pad: pad,
		pw: w + 2*pad, ph: h + 2*pad,
		bias:  float32(2 * p.Sigma * p.Sigma * n),
		scale: float32(1 / (p.H * p.H * n)),
	}
}

// padPlanes mirrors c planes of h×w into the filter's padded layout; with
// quantise it rounds to whole levels in 0..255, the form the running sums
// are exact for (see vec.AccSqDiffDelta).
func (f *filter) padPlanes(img []float32, c int, quantise bool) []float32 {
	out := make([]float32, c*f.ph*f.pw)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < f.ph; y++ {
			src := img[(ch*f.h+mirror(y-f.pad, f.h))*f.w:]
			row := out[(ch*f.ph+y)*f.pw : (ch*f.ph+y+1)*f.pw]
			for x := range row {
				v := src[mirror(x-f.pad, f.w)]
				if quantise {
					v = quantiseLevel(v)
				}
				row[x] = v
			}
		}
	}
	return out
}

// quantiseLevel rounds v to the nearest whole level in 0..255.
func quantiseLevel(v float32) float32 {
	return float32(math.Round(float64(min(max(v, 0), 255))))
}

// wholeLevels reports whether every value is already a whole level in
// 0..255, so that one padded copy serves as distance and value planes.
func wholeLevels(img []float32) bool {
	for _, v := range img {
		if v != quantiseLevel(v) {
			return false
		}
	}
	return true
}

// run filters frames[target] into out ([c][h][w]) on up to threads
// goroutines that take tiles in turn.
func (f *filter) run(out []float32, threads int) {
	f.nOffsets = len(f.frames)*(2*f.sr+1)*(2*f.sr+1) - 1
	type tile struct{ x0, x1, y0, y1 int }
	var tiles []tile
	for y0 := 0; y0 < f.h; y0 += tileH {
		for x0 := 0; x0 < f.w; x0 += tileW {
			tiles = append(tiles, tile{x0, min(x0+tileW, f.w), y0, min(y0+tileH, f.h)})
		}
	}
	if f.nOffsets == 0 { // a 1×1 window: nothing to average with
		for ch := 0; ch < f.c; ch++ {
			for y := 0; y < f.h; y++ {
				copy(out[(ch*f.h+y)*f.w:(ch*f.h+y+1)*f.w], f.row(f.frames[f.target].vals, ch, y, 0)[:f.w])
			}
		}
		return
	}
	threads = max(1, min(threads, len(tiles)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := f.newScratch()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(tiles) {
					return
				}
				t := tiles[k]
				f.tile(out, s, t.x0, t.x1, t.y0, t.y1)
			}
		}()
	}
	wg.Wait()
}

// scratch is one worker's buffers, sized for a whole tile.
type scratch struct {
	col      []float32 // vertical patch sums, one row of tileW+patch−1 per offset
	num      []float32 // [c][tileW] weighted sums of the current row
	den, wgt []float32
}

func (f *filter) newScratch() *scratch {
	cw := tileW + f.patch - 1
	return &scratch{
		col: make([]float32, f.nOffsets*cw),
		num: make([]float32, f.c*tileW),
		den: make([]float32, tileW), wgt: make([]float32, tileW),
	}
}

// row returns the padded row of plane ch of picture pic at image row y
// (which may reach into the border), starting at image column x.
func (f *filter) row(pic []float32, ch, y, x int) []float32 {
	off := (ch*f.ph+y+f.pad)*f.pw + x + f.pad
	return pic[off : (ch*f.ph+y+f.pad+1)*f.pw]
}

// tile filters output rows [y0, y1) and columns [x0, x1). For every offset
// (frame, dy, dx) it keeps the column sums of squared differences over the
// patch height, moving them down one row at a time (one row in, one out),
// takes their horizontal box as the patch distance, and accumulates
// weights and weighted values of the current row.
func (f *filter) tile(out []float32, s *scratch, x0, x1, y0, y1 int) {
	tw, cw := x1-x0, x1-x0+f.patch-1
	num, den, wgt := s.num[:f.c*tileW], s.den[:tw], s.wgt[:tw]
	me := f.frames[f.target]
	xa := x0 - f.pr // image column of col[0]
	for y := y0; y < y1; y++ {
		clear(num)
		clear(den)
		o := 0
		for fi, fr := range f.frames {
			for dy := -f.sr; dy <= f.sr; dy++ {
				for dx := -f.sr; dx <= f.sr; dx++ {
					if fi == f.target && dy == 0 && dx == 0 {
						continue
					}
					col := s.col[o*cw : (o+1)*cw]
					o++
					if y == y0 {
						clear(col)
						for r := -f.pr; r <= f.pr; r++ {
							for ch := 0; ch < f.c; ch++ {
								a := f.row(me.dist, ch, y+r, xa)[:cw]
								vec.AccSqDiffDelta(col, a, f.row(fr.dist, ch, y+r+dy, xa+dx)[:cw], a, a)
							}
						}
					} else {
						yin, yout := y+f.pr, y-f.pr-1
						for ch := 0; ch < f.c; ch++ {
							vec.AccSqDiffDelta(col,
								f.row(me.dist, ch, yin, xa)[:cw], f.row(fr.dist, ch, yin+dy, xa+dx)[:cw],
								f.row(me.dist, ch, yout, xa)[:cw], f.row(fr.dist, ch, yout+dy, xa+dx)[:cw])
						}
					}
					vec.PatchWeights(wgt, den, col, f.patch, f.bias, f.scale, weightShift)
					for ch := 0; ch < f.c; ch++ {
						vec.AccMul(num[ch*tileW:ch*tileW+tw], wgt, f.row(fr.vals, ch, y+dy, x0+dx)[:tw])
					}
				}
			}
		}
		// The pixel's own patch is at distance 0, so its weight is 1 (times
		// e^weightShift, as for the others).
		self := float32(math.Exp(weightShift))
		for i := 0; i < tw; i++ {
			d := den[i] + self
			for ch := 0; ch < f.c; ch++ {
				v := num[ch*tileW+i] + self*f.row(me.vals, ch, y, x0)[i]
				out[(ch*f.h+y)*f.w+x0+i] = v / d
			}
		}
	}
}
