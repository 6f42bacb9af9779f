package imgtx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/trainrun"
)

// SampleOptions control Sample.
type SampleOptions struct {
	Count int // images to draw
	// Labels are the classes of the images (class conditioning): one per
	// image, or a single one for all.
	Labels []int
	// Low holds Count low-resolution images (super-resolution), LowLen()
	// sub-pixels each.
	Low []uint8
	// Known and KnownMask give sub-pixels that are not sampled but taken
	// as they are (completion): KnownMask[g] marks grid index g as given
	// in every image, Known holds Count images of Len() sub-pixels whose
	// marked entries are used.
	Known     []uint8
	KnownMask []bool
	// Temperature divides the logits before the softmax (default 1; the
	// paper's super-resolution is best at 0.8–0.9).
	Temperature float64
	Seed        uint64
	// Naive recomputes the model over the whole prefix at every position
	// instead of decoding one position at a time from the key/value cache.
	// Both draw the same samples; the PixelCNN, which has no cache, always
	// recomputes.
	Naive   bool
	Batch   int // images decoded together (default 64)
	Threads int // batches decoded at once (default 1)
	// Progress, if set, is called with the number of positions decoded
	// so far, over all batches.
	Progress func(done, total int)
}

// Sample draws opt.Count images and returns them interleaved (Count·Len()
// sub-pixels, grid order). Batch k draws from a generator seeded with
// (Seed, k), so the samples do not depend on Threads.
func (m *Model) Sample(opt SampleOptions) ([]uint8, error) {
	cfg := m.Cfg
	n := cfg.Len()
	if opt.Temperature == 0 {
		opt.Temperature = 1
	}
	switch {
	case opt.Count < 1:
		return nil, fmt.Errorf("sample %d images: want at least 1", opt.Count)
	case !(opt.Temperature > 0) || math.IsInf(opt.Temperature, 0):
		return nil, fmt.Errorf("temperature %g: want a positive number", opt.Temperature)
	case cfg.Cond == "class" && len(opt.Labels) != 1 && len(opt.Labels) != opt.Count:
		return nil, fmt.Errorf("class-conditional sampling needs 1 or %d classes, got %d", opt.Count, len(opt.Labels))
	case cfg.Cond == "lowres" && len(opt.Low) != opt.Count*cfg.LowLen():
		return nil, fmt.Errorf("super-resolution needs %d low-resolution sub-pixels, got %d", opt.Count*cfg.LowLen(), len(opt.Low))
	case opt.KnownMask != nil && (len(opt.KnownMask) != n || len(opt.Known) != opt.Count*n):
		return nil, fmt.Errorf("completion needs a mask of %d and %d known sub-pixels, got %d and %d", n, opt.Count*n, len(opt.KnownMask), len(opt.Known))
	}
	if opt.Batch <= 0 {
		opt.Batch = 64
	}
	out := make([]uint8, opt.Count*n)
	labels := make([]int, opt.Count)
	for i := range labels {
		if len(opt.Labels) == 1 {
			labels[i] = opt.Labels[0]
		} else if len(opt.Labels) > 0 {
			labels[i] = opt.Labels[i]
		}
	}
	if cfg.Cond == "class" {
		if err := m.check(Batch{N: opt.Count, Pixels: out, Labels: labels}); err != nil {
			return nil, err
		}
	}
	var done atomic.Int64
	total := opt.Count * n
	trainrun.ForBatches(opt.Count, opt.Batch, opt.Threads, autograd.NewInference, func(tp *autograd.Tape, bi, lo, hi int) {
		b := Batch{N: hi - lo, Pixels: out[lo*n : hi*n], Labels: labels[lo:hi]}
		if cfg.Cond == "lowres" {
			b.Low = opt.Low[lo*cfg.LowLen() : hi*cfg.LowLen()]
		}
		var known []uint8
		if opt.KnownMask != nil {
			known = opt.Known[lo*n : hi*n]
		}
		rng := rand.New(rand.NewPCG(opt.Seed, uint64(bi)))
		progress := func() {
			if opt.Progress != nil {
				opt.Progress(int(done.Add(int64(b.N))), total)
			}
		}
		if opt.Naive || m.pc != nil {
			m.sampleNaive(tp, b, known, opt, rng, progress)
		} else {
			m.sampleCached(tp, b, known, opt, rng, progress)
		}
	})
	return out, nil
}

// draw picks the sub-pixel of grid index gi of every image of b: the known
// value where the mask gives one, else a draw from softmax(logits/T),
// logits [N, 1, 256] or rows of a larger tensor at row.
func (m *Model) draw(logits []float32, stride int, b Batch, known []uint8, gi int, opt SampleOptions, rng *rand.Rand) {
	n := m.Cfg.Len()
	p := make([]float64, Levels)
	for i := 0; i < b.N; i++ {
		if opt.KnownMask != nil && opt.KnownMask[gi] {
			b.Pixels[i*n+gi] = known[i*n+gi]
			continue
		}
		row := logits[i*stride : i*stride+Levels]
		mx := math.Inf(-1)
		for _, z := range row {
			mx = math.Max(mx, float64(z))
		}
		var sum float64
		for j, z := range row {
			p[j] = math.Exp((float64(z) - mx) / opt.Temperature)
			sum += p[j]
		}
		u := rng.Float64() * sum
		v := Levels - 1
		for j, pj := range p {
			if u < pj {
				v = j
				break
			}
			u -= pj
		}
		b.Pixels[i*n+gi] = uint8(v)
	}
}

// sampleCached decodes position by position from the layers' caches.
func (m *Model) sampleCached(tp *autograd.Tape, b Batch, known []uint8, opt SampleOptions, rng *rand.Rand, progress func()) {
	n := m.Cfg.Len()
	dec := m.tx.newDecoder(tp, m.Cfg, m.g, b.Labels, b.Low, b.N)
	seq := make([]uint8, b.N*n)
	for s := 0; s < n; s++ {
		tp.Reset()
		logits := dec.step(tp, seq, s)
		gi := m.g.order[s]
		m.draw(logits.Value.Data, Levels, b, known, gi, opt, rng)
		for i := 0; i < b.N; i++ {
			seq[i*n+s] = b.Pixels[i*n+gi]
		}
		progress()
	}
	tp.Reset()
}

// sampleNaive runs the whole model over the prefix decoded so far at
// every position, the reference the cache must agree with.
func (m *Model) sampleNaive(tp *autograd.Tape, b Batch, known []uint8, opt SampleOptions, rng *rand.Rand, progress func()) {
	n := m.Cfg.Len()
	for s := 0; s < n; s++ {
		tp.Reset()
		logits := m.logits(tp, b, s+1, false, nil)
		rows := logits.Value.Dim(1)
		m.draw(logits.Value.Data[s*Levels:], rows*Levels, b, known, m.g.order[s], opt, rng)
		progress()
	}
	tp.Reset()
}

// KnownRows returns the completion mask that keeps the first rows image
// rows.
func (c Config) KnownRows(rows int) []bool {
	mask := make([]bool, c.Len())
	for i := 0; i < min(rows, c.Height)*c.Width*c.Channels; i++ {
		mask[i] = true
	}
	return mask
}
