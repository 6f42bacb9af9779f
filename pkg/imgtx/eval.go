package imgtx

import (
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/trainrun"
)

// EvalOptions control Evaluate.
type EvalOptions struct {
	Batch   int // images per forward pass (default 32)
	Threads int // goroutines, each with its own tape (default 1)
	// Progress, if set, is called with the number of images finished.
	Progress func(n int)
}

// EvalResult is the likelihood of a dataset under a model.
type EvalResult struct {
	N    int     // images
	Dims int     // sub-pixels per image
	Nats float64 // total negative log-likelihood in nats
}

// BitsPerDim is the mean negative log₂-likelihood per sub-pixel.
func (r EvalResult) BitsPerDim() float64 {
	if r.N == 0 {
		return 0
	}
	return BitsPerDim(r.Nats / float64(r.N*r.Dims))
}

// NatsPerImage is the mean negative log-likelihood of an image in nats.
func (r EvalResult) NatsPerImage() float64 {
	if r.N == 0 {
		return 0
	}
	return r.Nats / float64(r.N)
}

// Evaluate returns the discrete likelihood of every image of ds (which
// must be at the model's size). Batches run on Threads goroutines; their
// sums are added in batch order, so the result does not depend on the
// thread count.
func (m *Model) Evaluate(ds *Dataset, opt EvalOptions) (EvalResult, error) {
	if opt.Batch <= 0 {
		opt.Batch = 32
	}
	cfg := m.Cfg
	n := ds.Len()
	sums := make([]float64, (n+opt.Batch-1)/opt.Batch)
	errs := make([]error, len(sums))
	type worker struct {
		tp *autograd.Tape
		b  Batch
	}
	trainrun.ForBatches(n, opt.Batch, opt.Threads, func() *worker { return &worker{tp: autograd.NewInference()} }, func(w *worker, bi, lo, hi int) {
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		ds.fill(&w.b, cfg, idx)
		loss, err := m.Loss(w.tp, w.b, false, nil)
		if err == nil {
			sums[bi] = float64(loss.Value.Data[0]) * float64((hi-lo)*cfg.Len())
		}
		errs[bi] = err
		w.tp.Reset()
		if opt.Progress != nil {
			opt.Progress(hi - lo)
		}
	})
	r := EvalResult{N: n, Dims: cfg.Len()}
	for bi, s := range sums {
		if errs[bi] != nil {
			return EvalResult{}, errs[bi]
		}
		r.Nats += s
	}
	return r, nil
}
