package ram

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/trainrun"
)

// EvalOptions control Evaluate.
type EvalOptions struct {
	// MC is the number of sampled episodes whose class probabilities are
	// averaged per image; 0 runs one greedy episode (locations at the
	// policy's mean), which is deterministic given Seed.
	MC      int
	Seed    uint64 // drives random first locations and policy samples
	Batch   int    // images per forward pass (default 250)
	Threads int    // goroutines (default 1)
	// Limit evaluates only the first Limit images when > 0.
	Limit int
	// Progress, if set, is called with the number of images finished.
	Progress func(n int)
	// KeepProbs asks for every image's class probabilities in the result.
	KeepProbs bool
}

// EvalResult is the outcome of Evaluate.
type EvalResult struct {
	N      int
	Errors int
	// Probs holds the class probabilities [N, C] when KeepProbs is set.
	Probs []float32
}

// ErrorPct returns the test error in percent.
func (r EvalResult) ErrorPct() float64 { return 100 * float64(r.Errors) / float64(r.N) }

// Evaluate classifies every sample of gen (rendered with its own seed) and
// counts the errors. Batches are spread over Threads goroutines; each batch
// draws its randomness from (Seed, batch index), so the result does not
// depend on the thread count.
func (m *Model) Evaluate(gen *data.Generator, opt EvalOptions) EvalResult {
	if opt.Batch <= 0 {
		opt.Batch = 250
	}
	if opt.Threads <= 0 {
		opt.Threads = 1
	}
	n := gen.Len()
	if opt.Limit > 0 && opt.Limit < n {
		n = opt.Limit
	}
	var mu sync.Mutex
	res := EvalResult{N: n}
	if opt.KeepProbs {
		res.Probs = make([]float32, n*m.Cfg.Classes)
	}
	type worker struct {
		g  *data.Generator
		tp *autograd.Tape
	}
	setup := func() worker {
		// A generator of its own (same task, digits and seed, so the same
		// placements): a Generator's random state is not shared.
		g, err := data.NewGenerator(gen.Task(), gen.Digits(), gen.Seed())
		if err != nil {
			panic(err) // gen was built from the same arguments
		}
		return worker{g, autograd.NewInference()}
	}
	trainrun.ForBatches(n, opt.Batch, opt.Threads, setup, func(w worker, b, lo, hi int) {
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		var keep []float32
		if res.Probs != nil {
			keep = res.Probs[lo*m.Cfg.Classes : hi*m.Cfg.Classes]
		}
		wrong := m.classifyBatch(w.tp, w.g, idx, opt, uint64(b), keep)
		mu.Lock()
		res.Errors += wrong
		mu.Unlock()
		if opt.Progress != nil {
			opt.Progress(hi - lo)
		}
	})
	return res
}

// classifyBatch counts the errors on one batch, copying the probabilities
// into keep when it is not nil.
func (m *Model) classifyBatch(tp *autograd.Tape, g *data.Generator, idx []int, opt EvalOptions, batch uint64, keep []float32) int {
	pix := g.Task().Pixels()
	images := make([]float32, len(idx)*pix)
	g.Batch(idx, images)
	labels := make([]int, len(idx))
	g.Labels(idx, labels)
	probs := m.Predict(tp, images, len(idx), 1, opt.MC, rand.New(rand.NewPCG(opt.Seed, batch)))
	copy(keep, probs)
	wrong := 0
	c := m.Cfg.Classes
	for i, y := range labels {
		if argmax(probs[i*c:(i+1)*c]) != y {
			wrong++
		}
	}
	return wrong
}

// Predict returns class probabilities [N, C] for N images: the softmax of
// one greedy episode when mc is 0, or the mean softmax of mc sampled
// episodes. The tape is reset before returning.
func (m *Model) Predict(tp *autograd.Tape, images []float32, n, channels, mc int, rng *rand.Rand) []float32 {
	c := m.Cfg.Classes
	probs := make([]float32, n*c)
	runs, policy := mc, Sample
	if mc <= 0 {
		runs, policy = 1, Greedy
	}
	for r := 0; r < runs; r++ {
		ep := m.Forward(tp, images, n, channels, policy, rng)
		accumulateSoftmax(probs, ep.Logits.Value.Data, c, 1/float32(runs))
		tp.Reset()
	}
	return probs
}

// accumulateSoftmax adds w·softmax(row) of each row of logits into dst.
func accumulateSoftmax(dst, logits []float32, c int, w float32) {
	for i := 0; i+c <= len(logits); i += c {
		row := logits[i : i+c]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - mx))
		}
		for j, v := range row {
			dst[i+j] += w * float32(math.Exp(float64(v-mx))/s)
		}
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
