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
	// bandTiles is how many tiles per thread a band should hold at least,
	// so that the threads rarely wait for one another at a band's end
	// while the band's buffers stay a few rows of tiles.
	bandTiles = 2
)

// A rowSource writes row y (0 ≤ y < h) of a c-channel picture, in 8-bit
// levels (0..255), into dst: channel ch at column x goes to
// dst[ch*stride+x]. The filter reads every picture through one, a band
// of rows at a time, so that the picture needs no full-size float copy.
type rowSource func(y int, dst []float32, stride int)

// A rowSink takes the filtered values, in 0..255, of row y of channel ch
// from column x0 on. Workers call it at once for different tiles.
type rowSink func(ch, y, x0 int, vals []float32)

// planeSource reads planes ([c][h][w]) times scale.
func planeSource(img []float32, c, h, w int, scale float32) rowSource {
	return func(y int, dst []float32, stride int) {
		for ch := 0; ch < c; ch++ {
			src := img[(ch*h+y)*w : (ch*h+y+1)*w]
			d := dst[ch*stride : ch*stride+w]
			if scale == 1 {
				copy(d, src)
				continue
			}
			for x, v := range src {
				d[x] = v * scale
			}
		}
	}
}

// planeSink writes into planes ([c][h][w]), dividing by div unless it is 1.
func planeSink(out []float32, h, w int, div float32) rowSink {
	return func(ch, y, x0 int, vals []float32) {
		d := out[(ch*h+y)*w+x0:][:len(vals)]
		if div == 1 {
			copy(d, vals)
			return
		}
		for i, v := range vals {
			d[i] = v / div
		}
	}
}

// frame is one picture the filter reads: its source, and the current
// band of it mirrored at the borders: dist holds the planes that patch
// distances compare (whole 8-bit levels) and vals the planes that are
// averaged.
type frame struct {
	src        rowSource
	dist, vals []float32
}

// filter is one non-local means run: its geometry and its weight
// constants in units of the box sums.
type filter struct {
	c        int // channels, compared together and averaged
	h, w     int
	patch    int
	pr, sr   int
	pad      int // mirrored border: pr + sr
	pw       int // padded width
	bias     float32
	scale    float32
	frames   []*frame
	target   int // index in frames of the picture being denoised
	nOffsets int
	// top is the image row of the first row of the band buffers, which
	// hold rows [top, top+rows) (mirrored where outside the picture).
	top, rows int
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
		pw:    w + 2*pad,
		bias:  float32(2 * p.Sigma * p.Sigma * n),
		scale: float32(1 / (p.H * p.H * n)),
	}
}

// quantiseLevel rounds v to the nearest whole level in 0..255.
func quantiseLevel(v float32) float32 {
	return float32(math.Round(float64(min(max(v, 0), 255))))
}

// bandHeight is the rows of output a band holds: whole rows of tiles,
// enough of them for bandTiles tiles per thread, at most the picture.
// It changes which tiles wait for which, never a tile's work.
func (f *filter) bandHeight(threads int) int {
	perRow := (f.w + tileW - 1) / tileW
	tileRows := max(1, (bandTiles*threads+perRow-1)/perRow)
	return min(tileRows*tileH, f.h)
}

// fill reads the band of output rows [y0, y1) of every frame into its
// buffers: rows y0−pad to y1+pad, columns −pad to w+pad, mirrored at the
// borders; dist rounded to whole levels in 0..255, the form the running
// sums are exact for (see vec.AccSqDiffDelta), vals as they are. line is
// a scratch of c·w values.
func (f *filter) fill(y0, y1 int, line []float32) {
	f.top, f.rows = y0-f.pad, y1-y0+2*f.pad
	for _, fr := range f.frames {
		n := f.c * f.rows * f.pw
		if cap(fr.dist) < n {
			fr.dist, fr.vals = make([]float32, n), make([]float32, n)
		}
		fr.dist, fr.vals = fr.dist[:n], fr.vals[:n]
		for r := 0; r < f.rows; r++ {
			fr.src(mirror(f.top+r, f.h), line, f.w)
			for ch := 0; ch < f.c; ch++ {
				src := line[ch*f.w : (ch+1)*f.w]
				off := (ch*f.rows + r) * f.pw
				vals, dist := fr.vals[off:off+f.pw], fr.dist[off:off+f.pw]
				for x := range vals {
					v := src[mirror(x-f.pad, f.w)]
					vals[x], dist[x] = v, quantiseLevel(v)
				}
			}
		}
	}
}

// run filters frames[target] into sink on up to threads goroutines, a
// band of rows at a time: the band's tiles are shared out, then the next
// band is read.
func (f *filter) run(sink rowSink, threads int) {
	f.nOffsets = len(f.frames)*(2*f.sr+1)*(2*f.sr+1) - 1
	line := make([]float32, f.c*f.w)
	if f.nOffsets == 0 { // a 1×1 window: nothing to average with
		me := f.frames[f.target]
		for y := 0; y < f.h; y++ {
			me.src(y, line, f.w)
			for ch := 0; ch < f.c; ch++ {
				sink(ch, y, 0, line[ch*f.w:(ch+1)*f.w])
			}
		}
		return
	}
	bh := f.bandHeight(threads)
	type tile struct{ x0, x1, y0, y1 int }
	var tiles []tile
	scratches := make([]*scratch, max(1, threads))
	for y0 := 0; y0 < f.h; y0 += bh {
		y1 := min(y0+bh, f.h)
		f.fill(y0, y1, line)
		tiles = tiles[:0]
		for ty := y0; ty < y1; ty += tileH {
			for x0 := 0; x0 < f.w; x0 += tileW {
				tiles = append(tiles, tile{x0, min(x0+tileW, f.w), ty, min(ty+tileH, y1)})
			}
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for i := range min(len(scratches), len(tiles)) {
			if scratches[i] == nil {
				scratches[i] = f.newScratch()
			}
			wg.Add(1)
			go func(s *scratch) {
				defer wg.Done()
				for {
					k := int(next.Add(1)) - 1
					if k >= len(tiles) {
						return
					}
					t := tiles[k]
					f.tile(sink, s, t.x0, t.x1, t.y0, t.y1)
				}
			}(scratches[i])
		}
		wg.Wait()
	}
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

// row returns the band's padded row of plane ch of picture pic at image
// row y (which may reach into the border), starting at image column x.
func (f *filter) row(pic []float32, ch, y, x int) []float32 {
	r := ch*f.rows + y - f.top
	return pic[r*f.pw+x+f.pad : (r+1)*f.pw]
}

// tile filters output rows [y0, y1) and columns [x0, x1). For every offset
// (frame, dy, dx) it keeps the column sums of squared differences over the
// patch height, moving them down one row at a time (one row in, one out),
// takes their horizontal box as the patch distance, and accumulates
// weights and weighted values of the current row.
func (f *filter) tile(sink rowSink, s *scratch, x0, x1, y0, y1 int) {
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
		// e^weightShift, as for the others). num becomes the row's result.
		self := float32(math.Exp(weightShift))
		for ch := 0; ch < f.c; ch++ {
			res, own := num[ch*tileW:ch*tileW+tw], f.row(me.vals, ch, y, x0)[:tw]
			for i := range res {
				res[i] = (res[i] + self*own[i]) / (den[i] + self)
			}
			sink(ch, y, x0, res)
		}
	}
}
