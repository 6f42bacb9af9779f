package lpa

import (
	"sync"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/attnkit/attn/pkg/vec"
)

// EvalOptions control Evaluate, EvaluateFGSM and Segment.
type EvalOptions struct {
	Batch   int // images per forward pass (default 100)
	Threads int // goroutines, each with its own tape (default 1)
	// Progress, if set, is called with the number of images finished.
	Progress func(n int)
	// Seg is the map Segment binarises (the baseline always uses its CAM).
	Seg SegMap
}

// EvalResult is the outcome of an evaluation.
type EvalResult struct {
	N      int
	Errors int
	// IoUSum is the sum of the per-image IoUs (Segment only).
	IoUSum float64
}

// ErrorPct returns the error in percent.
func (r EvalResult) ErrorPct() float64 {
	if r.N == 0 {
		return 0
	}
	return 100 * float64(r.Errors) / float64(r.N)
}

// MIoU returns the mean IoU over the images (Segment only).
func (r EvalResult) MIoU() float64 {
	if r.N == 0 {
		return 0
	}
	return r.IoUSum / float64(r.N)
}

// Evaluate classifies every image of ds (no augmentation) and counts the
// errors. The model must be in evaluation mode (Train(false)); batches are
// spread over Threads goroutines and the result does not depend on their
// number.
func (m *Model) Evaluate(ds Dataset, opt EvalOptions) EvalResult {
	return m.run(ds, opt, func(tp *autograd.Tape, w *worker, n int) EvalResult {
		out := m.Forward(tp, tp.Const(w.x(tp, n)))
		return EvalResult{N: n, Errors: n - trainrun.CountCorrect(out.Logits.Value.Data, w.labels[:n], m.Cfg.Classes)}
	}, false)
}

// EvaluateFGSM counts the errors on adversarial images made by the fast
// gradient sign method (Goodfellow et al. 2015): x' = clip(x + ε·sign(∇ₓ
// CE(f(x), y)), 0, 1), with the gradient of the model in evaluation mode
// at the true label. Images are in [0, 1], so ε is in those units.
func (m *Model) EvaluateFGSM(ds Dataset, eps float32, opt EvalOptions) EvalResult {
	// Only the input needs a gradient: switching the parameters off both
	// saves their backward and keeps concurrent workers from accumulating
	// into the shared gradient buffers.
	params := m.Params()
	for _, p := range params {
		p.RequiresGrad = false
	}
	defer func() {
		for _, p := range params {
			p.RequiresGrad = true
		}
	}()
	return m.run(ds, opt, func(tp *autograd.Tape, w *worker, n int) EvalResult {
		adv := m.FGSM(tp, w.x(tp, n), w.labels[:n], eps)
		out := m.Forward(tp, tp.Const(adv))
		return EvalResult{N: n, Errors: n - trainrun.CountCorrect(out.Logits.Value.Data, w.labels[:n], m.Cfg.Classes)}
	}, true)
}

// FGSM returns the adversarial version of images x [N, C, S, S] for the
// labels, as a new tape-owned tensor, and resets nothing: the caller
// resets the tape. tp must record.
func (m *Model) FGSM(tp *autograd.Tape, x *tensor.Tensor, labels []int, eps float32) *tensor.Tensor {
	in := &autograd.Var{Value: x, Grad: tp.Alloc(x.Shape...), RequiresGrad: true}
	out := m.Forward(tp, in)
	loss := tp.CrossEntropy(out.Logits, labels, -100)
	tp.Backward(loss)
	adv := tp.Alloc(x.Shape...)
	for i, v := range x.Data {
		g := in.Grad.Data[i]
		switch {
		case g > 0:
			v += eps
		case g < 0:
			v -= eps
		}
		adv.Data[i] = min(max(v, 0), 1)
	}
	return adv
}

// Segment binarises the model's map of every image of a masked dataset
// (SegmentMap with opt.Seg; the CAM of the predicted class for the
// baseline) with Binarise and sums the IoU with the ground-truth mask;
// MIoU of the result is the mean IoU. Errors are counted too.
func (m *Model) Segment(ds Masked, opt EvalOptions) (EvalResult, error) {
	// Check once here rather than fail on every image.
	if err := opt.Seg.Validate(m.Cfg); err != nil {
		return EvalResult{}, err
	}
	S := m.Cfg.Side
	var mu sync.Mutex
	var firstErr error
	res := m.run(ds, opt, func(tp *autograd.Tape, w *worker, n int) EvalResult {
		out := m.Forward(tp, tp.Const(w.x(tp, n)))
		r := EvalResult{N: n}
		for i := 0; i < n; i++ {
			pred := vec.Argmax(out.Logits.Value.Data[i*m.Cfg.Classes : (i+1)*m.Cfg.Classes])
			if pred != w.labels[i] {
				r.Errors++
			}
			mp, err := m.SegmentMap(out, i, pred, opt.Seg)
			var bin []bool
			if err == nil {
				bin, err = Binarise(mp, S, S, opt.Seg.ThresholdFor(m.Cfg))
			}
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				continue
			}
			r.IoUSum += IoU(bin, w.masks[i*S*S:(i+1)*S*S])
		}
		return r
	}, false, true)
	return res, firstErr
}

// worker holds one goroutine's data view and batch buffers.
type worker struct {
	ds     Dataset
	images []float32
	labels []int
	masks  []bool
	pix    int
	tp     *autograd.Tape
}

func (w *worker) x(tp *autograd.Tape, n int) *tensor.Tensor {
	s := w.ds.Side()
	return tp.View(w.images[:n*w.pix], n, w.pix/(s*s), s, s)
}

// run feeds ds in batches to fn on Threads goroutines and adds up the
// results. record selects a recording tape (FGSM); masks loads the
// ground truth too.
func (m *Model) run(ds Dataset, opt EvalOptions, fn func(tp *autograd.Tape, w *worker, n int) EvalResult, record bool, masks ...bool) EvalResult {
	if opt.Batch <= 0 {
		opt.Batch = 100
	}
	if opt.Threads <= 0 {
		opt.Threads = 1
	}
	withMasks := len(masks) > 0 && masks[0]
	S := ds.Side()
	pix := m.Cfg.Channels * S * S
	var mu sync.Mutex
	var total EvalResult
	setup := func() *worker {
		w := &worker{ds: ds.Fork(), pix: pix}
		w.images = make([]float32, opt.Batch*pix)
		w.labels = make([]int, opt.Batch)
		if withMasks {
			w.masks = make([]bool, opt.Batch*S*S)
		}
		if record {
			w.tp = autograd.NewTape()
		} else {
			w.tp = autograd.NewInference()
		}
		return w
	}
	trainrun.ForBatches(ds.Len(), opt.Batch, opt.Threads, setup, func(w *worker, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			dst := w.images[(i-lo)*pix : (i-lo+1)*pix]
			if withMasks {
				w.labels[i-lo] = w.ds.(Masked).LoadMasked(i, dst, w.masks[(i-lo)*S*S:(i-lo+1)*S*S])
			} else {
				w.labels[i-lo] = w.ds.Load(i, dst, nil)
			}
		}
		r := fn(w.tp, w, hi-lo)
		w.tp.Reset()
		mu.Lock()
		total.N += r.N
		total.Errors += r.Errors
		total.IoUSum += r.IoUSum
		mu.Unlock()
		if opt.Progress != nil {
			opt.Progress(hi - lo)
		}
	})
	return total
}
