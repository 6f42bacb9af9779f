package caption

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/tensor"
)

// tinyConfig is a model small enough for finite differences: 8×8 inputs,
// a 4×4 grid of 3-dimensional annotations.
func tinyConfig(attention string, vocab int) Config {
	return Config{Data: "builtin", Side: 8, Widths: []int{2, 3}, Convs: []int{1, 1}, Vocab: vocab,
		Embed: 3, Hidden: 4, AttnDim: 3, Attention: attention, Encoder: EncoderJoint, Lambda: 0.5, Dropout: 0.2, MaxLen: 6}
}

func tinyVocab() *data.Vocab {
	v, _ := data.NewVocab([]string{data.PadToken, data.StartToken, data.EndToken, data.UnkToken, "a", "red", "3", "7"})
	return v
}

func tinyModel(t *testing.T, attention string, seed uint64) *Model {
	t.Helper()
	v := tinyVocab()
	m, err := New(tinyConfig(attention, v.Len()), v, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func randImages(rng *rand.Rand, n, side int) *tensor.Tensor {
	x := tensor.New(n, 3, side, side)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

// tinyBatch is two images and three captions of different lengths.
func tinyBatch() (rows []int, caps [][]int) {
	return []int{0, 1, 1}, [][]int{{1, 4, 5, 6, 2}, {1, 7, 2}, {1, 4, 6, 2}}
}

// TestLossGradients compares the analytic gradient of the whole loss
// (NLL and the doubly stochastic penalty) with central differences: for
// every decoder parameter element, and for the annotations, the input
// the encoder's gradient flows from. The encoder's own layers are
// checked in nn and autograd; through them a step of ±eps often crosses a
// ReLU or a max-pool tie at this tiny size, where a central difference
// averages two slopes.
func TestLossGradients(t *testing.T) {
	for _, att := range []string{AttnSoft, AttnNone} {
		t.Run(att, func(t *testing.T) {
			m := tinyModel(t, att, 3)
			m.Train(false)
			rng := rand.New(rand.NewPCG(1, 1))
			ann := tensor.New(2, 16, 3)
			for i := range ann.Data {
				ann.Data[i] = rng.Float32()
			}
			rows, caps := tinyBatch()
			loss := func(tp *autograd.Tape, a *autograd.Var) *autograd.Var {
				r, err := m.Loss(tp, a, rows, caps, LossOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return r.Loss
			}
			if err := autograd.GradCheck(func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return loss(tp, in[0]) },
				[]*tensor.Tensor{ann}, autograd.GradCheckOptions{}); err != nil {
				t.Fatalf("annotations: %v", err)
			}
			params := m.DecoderParams()
			autograd.ZeroGrad(params)
			tp := autograd.NewTape()
			tp.Backward(loss(tp, tp.Const(ann)))
			tp.Reset()
			inf := autograd.NewInference()
			value := func() float64 {
				v := float64(loss(inf, inf.Const(ann)).Value.Data[0])
				inf.Reset()
				return v
			}
			const eps = 1e-2
			checked := 0
			for _, p := range params {
				for j := range p.Value.Data {
					orig := p.Value.Data[j]
					p.Value.Data[j] = orig + eps
					lp := value()
					p.Value.Data[j] = orig - eps
					lm := value()
					p.Value.Data[j] = orig
					num := (lp - lm) / (float64(orig+eps) - float64(orig-eps))
					got := float64(p.Grad.Data[j])
					if math.Abs(got-num) > 1e-3+1e-2*math.Abs(num) {
						t.Fatalf("%s[%d]: analytic %.6g, numeric %.6g", p.Name, j, got, num)
					}
					checked++
				}
			}
			t.Logf("%d parameter elements checked", checked)
		})
	}
}

// Hard attention trains: the loss is finite, gradients reach the
// attention network through REINFORCE, and the baseline moves.
func TestHardAttentionLoss(t *testing.T) {
	m := tinyModel(t, AttnHard, 4)
	x := randImages(rand.New(rand.NewPCG(2, 2)), 2, 8)
	rows, caps := tinyBatch()
	b := math.NaN()
	tp := autograd.NewTape()
	ann := m.Encode(tp, tp.Const(x))
	r, err := m.Loss(tp, ann, rows, caps, LossOptions{RNG: rand.New(rand.NewPCG(9, 9)), Baseline: &b})
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Loss.Value.Data[0]; math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		t.Fatalf("loss %g", v)
	}
	tp.Backward(r.Loss)
	if math.IsNaN(b) || b >= 0 {
		t.Fatalf("baseline %g: want a negative log-likelihood average", b)
	}
	g := 0.0
	for _, v := range m.attEnc.Weight.Grad.Data {
		g += math.Abs(float64(v))
	}
	if g == 0 {
		t.Fatal("no gradient reached the attention network")
	}
}

func TestLossRejectsBadCaptions(t *testing.T) {
	m := tinyModel(t, AttnSoft, 1)
	tp := autograd.NewInference()
	ann := m.Encode(tp, tp.Const(randImages(rand.New(rand.NewPCG(1, 2)), 1, 8)))
	for _, c := range []struct {
		rows []int
		caps [][]int
	}{
		{[]int{0}, [][]int{{4, 2}}},       // no <start>
		{[]int{0}, [][]int{{1, 99, 2}}},   // id outside the vocabulary
		{[]int{1}, [][]int{{1, 4, 2}}},    // no image 1
		{[]int{0, 0}, [][]int{{1, 4, 2}}}, // rows and captions disagree
	} {
		if _, err := m.Loss(tp, ann, c.rows, c.caps, LossOptions{}); err == nil {
			t.Errorf("%v %v: no error", c.rows, c.caps)
		}
	}
}

// A model survives its file: same config, vocabulary and loss.
func TestFileRoundTrip(t *testing.T) {
	m := tinyModel(t, AttnSoft, 5)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cfg.Equal(m.Cfg) || len(got.Vocab.Words) != len(m.Vocab.Words) {
		t.Fatalf("config %+v, want %+v", got.Cfg, m.Cfg)
	}
	x := randImages(rand.New(rand.NewPCG(3, 3)), 2, 8)
	rows, caps := tinyBatch()
	nll := func(m *Model) float64 {
		m.Train(false)
		tp := autograd.NewInference()
		r, err := m.Loss(tp, m.Encode(tp, tp.Const(x)), rows, caps, LossOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r.NLL
	}
	if a, b := nll(m), nll(got); a != b {
		t.Fatalf("NLL %g after loading, %g before", b, a)
	}
}

// Attention supervision adds weight·Σ_t −log m_t, m_t the mass of step t's
// map inside word t's box as BoxAttention counts it, and its gradient
// reaches the annotations correctly.
func TestAttentionSupervision(t *testing.T) {
	m := tinyModel(t, AttnSoft, 5)
	m.Cfg.Supervision = 0.7
	m.Train(false)
	rng := rand.New(rand.NewPCG(3, 3))
	ann := tensor.New(2, 16, 3)
	for i := range ann.Data {
		ann.Data[i] = rng.Float32()
	}
	rows, caps := tinyBatch()
	b1, b2 := data.Box{X0: 1, Y0: 2, X1: 6, Y1: 5}, data.Box{X0: 4, Y0: 0, X1: 8, Y1: 3}
	boxes := [][]data.Box{{{}, b1, b1}, {b2}, {{}, b1}} // "a red 3", "7", "a 3"
	loss := func(tp *autograd.Tape, a *autograd.Var, bx [][]data.Box) LossResult {
		r, err := m.Loss(tp, a, rows, caps, LossOptions{Boxes: bx})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tp := autograd.NewInference()
	with, without := loss(tp, tp.Const(ann), boxes), loss(tp, tp.Const(ann), nil)
	want, words := 0.0, 0
	N, L := len(caps), 16
	for k, bs := range boxes {
		for step, b := range bs {
			if b.Empty() {
				continue
			}
			row := with.Attention.Value.Data[(step*N+k)*L : (step*N+k+1)*L]
			want -= math.Log(BoxAttention(row, 4, 4, 8, 8, b) + 1e-6)
			words++
		}
	}
	if math.Abs(with.Supervised-want) > 1e-4*math.Abs(want) || with.Boxed != words || words != 4 {
		t.Fatalf("supervised %g over %d words, want %g over %d", with.Supervised, with.Boxed, want, words)
	}
	diff := float64(with.Loss.Value.Data[0] - without.Loss.Value.Data[0])
	if w := 0.7 * want / float64(N); math.Abs(diff-w) > 1e-4 {
		t.Fatalf("loss grew by %g, want %g", diff, w)
	}
	if err := autograd.GradCheck(func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return loss(tp, in[0], boxes).Loss },
		[]*tensor.Tensor{ann}, autograd.GradCheckOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Loss(tp, tp.Const(ann), rows, caps, LossOptions{Boxes: boxes[:2]}); err == nil {
		t.Fatal("boxes for two of three captions: no error")
	}
}
