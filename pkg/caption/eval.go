package caption

import (
	"errors"
	"sync"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/trainrun"
)

// EvalOptions control Evaluate.
type EvalOptions struct {
	DecodeOptions
	Batch   int // images per decoding batch (default 50)
	Threads int // goroutines, each with its own tape (default 1)
	// Progress, if set, is called with the number of images finished.
	Progress func(n int)
}

// Result is an evaluation: the scores and what they were computed from.
type Result struct {
	Scores   Scores
	Captions []Caption    // the generated caption of each image
	Refs     [][][]string // its references
	Scenes   []data.Scene // the built-in scenes (nil for users' data)
}

// Evaluate captions every image of ds (Decode, batched over Batch images
// on Threads goroutines; the result does not depend on their number) and
// scores the captions with caption.Evaluate: BLEU-1..4 and CIDEr-D always;
// for built-in scenes also object F1, relation accuracy and, with
// attention, attention correctness, from each word's α on the model's
// grid. The model must be in evaluation mode (Train(false)).
func (m *Model) Evaluate(ds Dataset, opt EvalOptions) (Result, error) {
	if opt.Batch <= 0 {
		opt.Batch = 50
	}
	n := ds.Len()
	res := Result{Captions: make([]Caption, n), Refs: make([][][]string, n)}
	scenes := make([]*data.Scene, n)
	var mu sync.Mutex
	var errs error
	type worker struct {
		tp     *autograd.Tape
		images []float32
	}
	setup := func() *worker {
		return &worker{tp: autograd.NewInference(), images: make([]float32, opt.Batch*3*m.Cfg.Side*m.Cfg.Side)}
	}
	trainrun.ForBatches(n, opt.Batch, opt.Threads, setup, func(w *worker, _, lo, hi int) {
		defer w.tp.Reset()
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		_, _, ss, err := loadBatch(m, ds, idx, w.images)
		if err != nil {
			mu.Lock()
			errs = errors.Join(errs, err)
			mu.Unlock()
			return
		}
		caps := m.Decode(w.tp, m.encodeImages(w.tp, w.images, hi-lo), opt.DecodeOptions)
		for i, c := range caps {
			res.Captions[lo+i], res.Refs[lo+i], scenes[lo+i] = c, ss[i].Refs, ss[i].Scene
		}
		if opt.Progress != nil {
			opt.Progress(hi - lo)
		}
	})
	if errs != nil {
		return res, errs
	}
	cands := make([][]string, n)
	for i, c := range res.Captions {
		cands[i] = c.Tokens
	}
	var att *Attention
	if n > 0 && scenes[0] != nil {
		res.Scenes = make([]data.Scene, n)
		for i, s := range scenes {
			res.Scenes[i] = *s
		}
		if m.Cfg.Attention != AttnNone {
			g, _ := m.Cfg.Grid()
			att = &Attention{Maps: make([][][]float32, n), GridH: g, GridW: g}
			for i, c := range res.Captions {
				att.Maps[i] = c.Alphas
			}
		}
	}
	s, err := Evaluate(cands, res.Refs, res.Scenes, att)
	res.Scores = s
	return res, err
}

// Predict captions images x [N, 3, Side, Side] (values in [0, 1]; Input
// converts any image) on tp, which it resets.
func (m *Model) Predict(tp *autograd.Tape, images []float32, n int, opt DecodeOptions) []Caption {
	defer tp.Reset()
	return m.Decode(tp, m.encodeImages(tp, images, n), opt)
}
