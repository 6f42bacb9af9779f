package nonlocal

import (
	"sync"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/attnkit/attn/pkg/vec"
)

// EvalOptions control Evaluate.
type EvalOptions struct {
	Batch   int // samples per forward pass (default 50)
	Threads int // goroutines, each with its own tape (default 1)
	// Progress, if set, is called with the number of samples finished.
	Progress func(n int)
}

// EvalResult is the outcome of an evaluation.
type EvalResult struct {
	N      int     `json:"n"`
	Errors int     `json:"errors"`
	GFLOPs float64 `json:"gflops_per_clip"` // of one forward pass on one sample
}

// ErrorPct returns the error in percent.
func (r EvalResult) ErrorPct() float64 {
	if r.N == 0 {
		return 0
	}
	return 100 * float64(r.Errors) / float64(r.N)
}

// Evaluate classifies every sample of ds and counts the errors. The model
// must be in evaluation mode (Train(false)); batches are spread over
// Threads goroutines and the result does not depend on their number.
func (m *Model) Evaluate(ds Dataset, opt EvalOptions) EvalResult {
	if opt.Batch <= 0 {
		opt.Batch = 50
	}
	if opt.Threads <= 0 {
		opt.Threads = 1
	}
	spec := ds.Spec()
	size := spec.SampleSize()
	type worker struct {
		ds     Dataset
		x      []float32
		labels []int
		tp     *autograd.Tape
	}
	var mu sync.Mutex
	total := EvalResult{GFLOPs: m.Cfg.GFLOPs()}
	setup := func() *worker {
		return &worker{ds: ds.Fork(), x: make([]float32, opt.Batch*size), labels: make([]int, opt.Batch), tp: autograd.NewInference()}
	}
	trainrun.ForBatches(ds.Len(), opt.Batch, opt.Threads, setup, func(w *worker, _, lo, hi int) {
		n := hi - lo
		for i := lo; i < hi; i++ {
			w.labels[i-lo] = w.ds.Load(i, w.x[(i-lo)*size:(i-lo+1)*size])
		}
		out := m.Forward(w.tp, w.tp.Const(w.tp.View(w.x[:n*size], spec.Shape(n)...)))
		errs := n - trainrun.CountCorrect(out.Logits.Value.Data, w.labels[:n], m.Cfg.Classes)
		w.tp.Reset()
		mu.Lock()
		total.N += n
		total.Errors += errs
		mu.Unlock()
		if opt.Progress != nil {
			opt.Progress(n)
		}
	})
	return total
}

// Predict returns the class and the softmax probabilities of each sample
// of x (a batch of the model's input shape).
func (m *Model) Predict(x []float32, n int) (classes []int, probs [][]float32) {
	tp := autograd.NewInference()
	out := m.Forward(tp, tp.Const(tp.View(x, m.inputShape(n)...)))
	p := tp.Softmax(out.Logits, 1).Value.Data
	c := m.Cfg.Classes
	for i := 0; i < n; i++ {
		row := append([]float32(nil), p[i*c:(i+1)*c]...)
		classes = append(classes, vec.Argmax(row))
		probs = append(probs, row)
	}
	return classes, probs
}

// inputShape is the shape of a batch of n inputs.
func (m *Model) inputShape(n int) []int {
	c := m.Cfg
	if c.Clip() {
		return []int{n, c.Channels, c.Frames, c.Side, c.Side}
	}
	return []int{n, c.Channels, c.Side, c.Side}
}

// InputSize returns the values of one input.
func (m *Model) InputSize() int {
	c := m.Cfg
	return c.Channels * max(c.Frames, 1) * c.Side * c.Side
}

// InputShape returns the shape of one input: [C, T, H, W] or [C, H, W].
func (m *Model) InputShape() []int { return m.inputShape(1)[1:] }
