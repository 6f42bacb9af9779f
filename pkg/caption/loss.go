package caption

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
)

// EntropyBonus is the weight of the entropy of α_t that hard attention's
// objective adds (the authors' code uses 0.002): it keeps the sampling
// distribution from collapsing early.
const EntropyBonus = 0.002

// BaselineDecay is the weight of the old value in hard attention's moving
// average baseline of log p(y | a): b ← 0.9 b + 0.1 mean(log p).
const BaselineDecay = 0.9

// LossOptions control Loss.
type LossOptions struct {
	// RNG draws dropout masks and, for hard attention, the locations and
	// which captions use the expected context. nil means evaluation: no
	// dropout and the expected context for hard attention.
	RNG *rand.Rand
	// Baseline is hard attention's moving average of the captions' log
	// p(y | a), updated by every training call; NaN (or nil) starts it at
	// the first batch's mean. Unused otherwise.
	Baseline *float64
	// Boxes, when set and Cfg.Supervision > 0, supervise the attention
	// with the regions the words name, as Liu et al. (AAAI 2017) do with
	// aligned boxes: Boxes[k][t] is the box (in input pixels) that word t
	// of caption k names, empty for words that name nothing. The loss
	// adds Supervision · Σ_t −log m_t, where m_t is the attention mass
	// the step that emits word t puts inside its box, counted as
	// BoxAttention counts it.
	Boxes [][]data.Box
}

// LossResult is the loss of a batch of captions and its parts.
type LossResult struct {
	Loss    *autograd.Var // what training minimises, per caption
	NLL     float64       // Σ over words (and <end>) of −log p(y_t)
	Words   int           // the words NLL sums over
	Penalty float64       // Σ_captions Σ_i (1 − Σ_t α_ti)², before λ
	// Supervised is Σ_t −log m_t over the words with a box (Boxes), before
	// the weight, and Boxed the number of those words.
	Supervised float64
	Boxed      int
	Captions   int
	// Logits [T·N, V] and Attention [T·N, L] (nil without attention) hold
	// step t of caption k in row t·N + k, padding steps included.
	Logits, Attention *autograd.Var
}

// Loss returns the teacher-forced loss of captions for images whose
// annotations ann [N, L, D] Encode returned: caption k describes image
// rows[k] and holds token ids as data.Vocab.Encode gives them (<start>
// first, <end> last). The loss per caption is
//
//	−log p(y | a) + λ Σ_i (1 − Σ_t α_ti)²
//
// (eq. 14 of the paper) with the sum over t running over the caption's
// words and <end>. Each image is encoded once and its annotations are
// shared by its captions (IndexSelect, whose backward sums the captions'
// gradients).
//
// For hard attention with opt.RNG set, each caption uses with
// probability 0.5 the expected context (trained by backpropagation, as
// soft attention) and otherwise, at every step, the annotation of a
// location s_t ~ Multinoulli(α_t). For those captions the attention
// network gets the REINFORCE gradient of section 4.1: the loss adds
// −(log p(y | s, a) − b)·Σ_t log α_{t,s_t} with b the moving-average
// baseline, and −EntropyBonus·Σ_t H(α_t).
func (m *Model) Loss(tp *autograd.Tape, ann *autograd.Var, rows []int, captions [][]int, opt LossOptions) (LossResult, error) {
	N := len(captions)
	if N == 0 || len(rows) != N {
		return LossResult{}, fmt.Errorf("loss: %d captions for %d image rows", N, len(rows))
	}
	T := 0
	for k, c := range captions {
		if len(c) < 2 || c[0] != data.StartID {
			return LossResult{}, fmt.Errorf("loss: caption %d is not <start> … <end> (%d ids)", k, len(c))
		}
		if rows[k] < 0 || rows[k] >= ann.Value.Dim(0) {
			return LossResult{}, fmt.Errorf("loss: caption %d names image %d of %d", k, rows[k], ann.Value.Dim(0))
		}
		for _, id := range c {
			if id < 0 || id >= m.Cfg.Vocab {
				return LossResult{}, fmt.Errorf("loss: caption %d: token id %d outside the vocabulary of %d", k, id, m.Cfg.Vocab)
			}
		}
		T = max(T, len(c)-1)
	}
	// Time-major layout: row t·N + k is step t of caption k.
	inputs, targets := make([]int, T*N), make([]int, T*N)
	mask := tp.Alloc(T * N)
	words := 0
	for t := 0; t < T; t++ {
		for k, c := range captions {
			if t < len(c)-1 {
				inputs[t*N+k], targets[t*N+k] = c[t], c[t+1]
				mask.Data[t*N+k] = 1
				words++
			}
		}
	}
	maskVar := tp.Const(mask)
	hard := m.Cfg.Attention == AttnHard && opt.RNG != nil
	var expectedRow *autograd.Var // hard: 1 for captions on the expected context
	if hard {
		e := tp.Alloc(N, 1)
		for k := range e.Data {
			if opt.RNG.IntN(2) == 0 {
				e.Data[k] = 1
			}
		}
		expectedRow = tp.Const(e)
	}

	mem := m.memory(tp, ann).expand(tp, rows)
	h, c := m.initState(tp, mem)
	emb := m.embed.Forward(tp, inputs)
	hs, zs := make([]*autograd.Var, T), make([]*autograd.Var, T)
	var alphas, logAlphas, picked []*autograd.Var
	locs := make([]int, N)
	for t := 0; t < T; t++ {
		var z *autograd.Var
		switch {
		case m.Cfg.Attention == AttnNone:
			z = mem.mean
		case hard:
			la := tp.LogSoftmax(m.scores(tp, mem, h), 1)
			alpha := tp.Exp(la)
			L := alpha.Value.Dim(1)
			onehot := tp.Alloc(N, L)
			for k := 0; k < N; k++ {
				locs[k] = sample(opt.RNG, alpha.Value.Data[k*L:(k+1)*L])
				if expectedRow.Value.Data[k] == 0 {
					onehot.Data[k*L+locs[k]] = 1
				}
			}
			w := tp.Add(tp.Mul(alpha, expectedRow), tp.Const(onehot))
			z = m.gated(tp, tp.WeightedSum(w, mem.ann), h)
			alphas, logAlphas = append(alphas, alpha), append(logAlphas, la)
			picked = append(picked, tp.Pick(la, locs))
		default:
			var alpha *autograd.Var
			z, alpha = m.expected(tp, mem, h)
			alphas = append(alphas, alpha)
		}
		x := tp.Concat(1, tp.Slice(emb, 0, t*N, (t+1)*N), z)
		h, c = m.lstm.Forward(tp, x, h, c)
		hs[t], zs[t] = h, z
	}
	logits := m.deepOutput(tp, emb, tp.Concat(0, hs...), tp.Concat(0, zs...), opt.RNG)
	logp := tp.Mul(tp.Pick(tp.LogSoftmax(logits, 1), targets), maskVar) // [T·N]
	loss := tp.Neg(tp.Sum(logp))
	res := LossResult{NLL: -sum64(logp.Value.Data), Words: words, Captions: N, Logits: logits}

	if len(alphas) > 0 {
		// Σ_t α_ti over each caption's own steps, then the penalty.
		L := alphas[0].Value.Dim(1)
		res.Attention = tp.Concat(0, alphas...)
		a := tp.Mul(tp.Reshape(res.Attention, T, N, L), tp.Reshape(maskVar, T, N, 1))
		dev := tp.AddScalar(tp.Neg(tp.SumAxis(a, 0, false)), 1)
		pen := tp.Sum(tp.Square(dev))
		res.Penalty = float64(pen.Value.Data[0])
		if m.Cfg.Lambda > 0 {
			loss = tp.Add(loss, tp.Scale(pen, float32(m.Cfg.Lambda)))
		}
	}
	if len(alphas) > 0 && m.Cfg.Supervision > 0 && opt.Boxes != nil {
		sup, err := m.supervision(tp, res.Attention, opt.Boxes, T, N)
		if err != nil {
			return LossResult{}, err
		}
		res.Supervised, res.Boxed = sup.total, sup.words
		loss = tp.Add(loss, tp.Scale(sup.loss, float32(m.Cfg.Supervision)))
	}
	if hard {
		loss = tp.Add(loss, m.reinforce(tp, logp, maskVar, expectedRow, alphas, logAlphas, picked, opt.Baseline, T, N))
	}
	res.Loss = tp.Scale(loss, 1/float32(N))
	return res, nil
}

type supervised struct {
	loss  *autograd.Var // Σ −log m_t, a scalar
	total float64       // its value
	words int           // the steps it sums over
}

// supervision returns Σ_t −log m_t over the steps whose word names a box
// (LossOptions.Boxes), with alpha [T·N, L] in Loss's time-major rows.
func (m *Model) supervision(tp *autograd.Tape, alpha *autograd.Var, boxes [][]data.Box, T, N int) (supervised, error) {
	if len(boxes) != N {
		return supervised{}, fmt.Errorf("loss: boxes for %d captions, want %d", len(boxes), N)
	}
	g, L := m.Cfg.Grid()
	cover := tp.Alloc(T*N, L)
	offset, on := tp.Alloc(T*N), tp.Alloc(T*N)
	words := 0
	for t := 0; t < T; t++ {
		for k := 0; k < N; k++ {
			r := t*N + k
			offset.Data[r] = 1 // log 1 = 0 for steps without a box
			if t >= len(boxes[k]) || boxes[k][t].Empty() {
				continue
			}
			boxCells(g, g, m.Cfg.Side, m.Cfg.Side, boxes[k][t], func(cell int, frac float64) {
				cover.Data[r*L+cell] = float32(frac)
			})
			// The floor keeps log finite when a map puts nothing in
			// the box; it is far below any mass a softmax leaves there.
			offset.Data[r], on.Data[r] = 1e-6, 1
			words++
		}
	}
	mass := tp.Add(tp.SumAxis(tp.Mul(alpha, tp.Const(cover)), 1, false), tp.Const(offset))
	loss := tp.Neg(tp.Sum(tp.Mul(tp.Log(mass), tp.Const(on))))
	return supervised{loss: loss, total: float64(loss.Value.Data[0]), words: words}, nil
}

// reinforce returns hard attention's surrogate terms: for the captions
// on sampled locations −Σ_t (R − b)·log α_{t,s_t}, with R = log p(y | s, a)
// a constant, and for every caption −EntropyBonus·Σ_t H(α_t). It updates
// the baseline b with the sampled captions' mean R.
func (m *Model) reinforce(tp *autograd.Tape, logp, mask, expectedRow *autograd.Var, alphas, logAlphas, picked []*autograd.Var, baseline *float64, T, N int) *autograd.Var {
	R := make([]float64, N)
	for t := 0; t < T; t++ {
		for k := 0; k < N; k++ {
			R[k] += float64(logp.Value.Data[t*N+k])
		}
	}
	var b float64 = math.NaN()
	if baseline != nil {
		b = *baseline
	}
	mean, n := 0.0, 0
	for k := 0; k < N; k++ {
		if expectedRow.Value.Data[k] == 0 {
			mean += R[k]
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	if math.IsNaN(b) {
		b = mean
	}
	coef := tp.Alloc(T * N)
	for t := 0; t < T; t++ {
		for k := 0; k < N; k++ {
			if expectedRow.Value.Data[k] == 0 {
				coef.Data[t*N+k] = float32(R[k]-b) * mask.Value.Data[t*N+k]
			}
		}
	}
	surrogate := tp.Neg(tp.Sum(tp.Mul(tp.Concat(0, picked...), tp.Const(coef))))
	// Σ α log α = −H, masked to the caption's steps.
	negH := tp.SumAxis(tp.Mul(tp.Concat(0, alphas...), tp.Concat(0, logAlphas...)), 1, false)
	ent := tp.Sum(tp.Mul(negH, mask))
	if baseline != nil && n > 0 {
		*baseline = BaselineDecay*b + (1-BaselineDecay)*mean
	}
	return tp.Add(surrogate, tp.Scale(ent, EntropyBonus))
}

// sample draws an index from the distribution p (which sums to 1 up to
// rounding; the last index takes any remainder).
func sample(rng *rand.Rand, p []float32) int {
	u := rng.Float64()
	acc := 0.0
	for i, v := range p {
		acc += float64(v)
		if u < acc {
			return i
		}
	}
	return len(p) - 1
}

func sum64(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v)
	}
	return s
}
