package caption

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/nn"
)

// Model is Show, Attend and Tell: a VGG-style encoder whose last block,
// before its pool, gives an H×W grid of D-dimensional annotation vectors
// a_i, and an LSTM decoder that attends to them. Per step t (section 3 of
// the paper):
//
//	e_ti = f_att(a_i, h_{t−1}) = w·tanh(W_a a_i + b_a + W_h h_{t−1})
//	α_t = softmax_i(e_t), β_t = σ(f_β(h_{t−1}))
//	ẑ_t = β_t Σ_i α_ti a_i                 (soft; hard samples a location)
//	h_t, c_t = LSTM([E y_{t−1}, ẑ_t], h_{t−1}, c_{t−1})
//	p(y_t) ∝ exp(L_o(E y_{t−1} + L_h h_t + L_z ẑ_t))     (deep output)
//
// with h_0 = tanh(f_init,h(ā)) and c_0 = tanh(f_init,c(ā)) from the mean
// annotation ā, and dropout on h_t and before L_o while training. The
// baseline (AttnNone) feeds ā as ẑ_t at every step and has no f_att or
// f_β. Hard attention is trained on sampled locations but decodes, like
// soft attention, with the expected context Σ_i α_ti a_i (its gate
// included): the paper's approximation of the marginal over locations,
// which beats the argmax location and keeps decoding deterministic.
//
// Parameter names (they match the PyTorch twin, python/attnkit_torch/caption.py):
//
//	encoder.block<b>.<j>.conv.weight, encoder.block<b>.<j>.bn.*
//	presence.weight, presence.bias      frozen encoder: digit-presence head
//	embed.weight                        E [V, E]
//	init_h.*, init_c.*                  [H, D]
//	att.enc.*  [A, D] + bias, att.dec.weight [A, H], att.score.weight [1, A]
//	gate.*                              f_β [1, H]
//	lstm.weight_ih [4H, E+D], lstm.weight_hh, lstm.bias_ih, lstm.bias_hh
//	out.h.* [E, H], out.z.weight [E, D], out.o.* [V, E]
type Model struct {
	Cfg   Config
	Vocab *data.Vocab

	vgg                      *nn.VGG
	presence                 *nn.Linear
	embed                    *nn.Embedding
	initH, initC             *nn.Linear
	attEnc, attDec, attScore *nn.Linear
	gate                     *nn.Linear
	lstm                     *nn.LSTMCell
	outH, outZ, outO         *nn.Linear

	encoder, decoder nn.List
}

// New builds a model of cfg for vocab (whose size must be cfg.Vocab),
// drawing the initial weights from seed: the encoder as nn.NewVGG draws
// it, the other layers with PyTorch's default initialisations.
func New(cfg Config, vocab *data.Vocab, seed uint64) (*Model, error) {
	return build(cfg, vocab, rand.New(rand.NewPCG(seed, 0x534154)))
}

// build builds the model of cfg for vocab, drawing its weights from rng.
// A nil rng draws nothing and leaves the weights zero (see nn.Uniform):
// FromFile overwrites every one of them with the file's.
func build(cfg Config, vocab *data.Vocab, rng *rand.Rand) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if vocab == nil || vocab.Len() != cfg.Vocab {
		return nil, fmt.Errorf("config for %d words, vocabulary of %d", cfg.Vocab, vocabLen(vocab))
	}
	m := &Model{Cfg: cfg, Vocab: vocab}
	vgg, err := nn.NewVGG(rng, "encoder.", 3, cfg.Widths, cfg.Convs)
	if err != nil {
		return nil, err
	}
	m.vgg = vgg
	m.encoder = vgg.Modules()
	D, E, H, A, V := cfg.Dim(), cfg.Embed, cfg.Hidden, cfg.AttnDim, cfg.Vocab
	if cfg.Encoder == EncoderFrozen {
		m.presence = nn.NewLinear(rng, "presence", D, 10, true)
		m.encoder = append(m.encoder, m.presence)
	}
	lin := func(name string, in, out int, bias bool) *nn.Linear {
		l := nn.NewLinear(rng, name, in, out, bias)
		m.decoder = append(m.decoder, l)
		return l
	}
	m.embed = nn.NewEmbedding(rng, "embed", V, E)
	m.decoder = append(m.decoder, m.embed)
	m.initH = lin("init_h", D, H, true)
	m.initC = lin("init_c", D, H, true)
	if cfg.Attention != AttnNone {
		m.attEnc = lin("att.enc", D, A, true)
		m.attDec = lin("att.dec", H, A, false)
		m.attScore = lin("att.score", A, 1, false)
		m.gate = lin("gate", H, 1, true)
	}
	m.lstm = nn.NewLSTMCell(rng, "lstm", E+D, H, true)
	m.decoder = append(m.decoder, m.lstm)
	m.outH = lin("out.h", H, E, true)
	m.outZ = lin("out.z", D, E, false)
	m.outO = lin("out.o", E, V, true)
	return m, nil
}

func vocabLen(v *data.Vocab) int {
	if v == nil {
		return 0
	}
	return v.Len()
}

// Params returns every parameter, encoder first, in a fixed order.
func (m *Model) Params() []*autograd.Var {
	return append(m.encoder.Params(), m.decoder.Params()...)
}

// DecoderParams returns the decoder's parameters alone (what trains when
// the encoder is frozen).
func (m *Model) DecoderParams() []*autograd.Var { return m.decoder.Params() }

// Buffers returns the encoder's batch-norm statistics.
func (m *Model) Buffers() []nn.Buffer { return m.encoder.Buffers() }

// Train switches the encoder's batch norms between batch statistics
// (training) and running statistics; dropout is chosen per call.
func (m *Model) Train(on bool) { m.encoder.Train(on) }

// Encode returns the annotations of images x [N, 3, Side, Side]: the last
// block's map before its pool, as [N, L, D] with L = H·W in row-major
// grid order.
func (m *Model) Encode(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	f := m.features(tp, x)
	n, d, h, w := f.Value.Dim(0), f.Value.Dim(1), f.Value.Dim(2), f.Value.Dim(3)
	return tp.Reshape(tp.Permute(f, 0, 2, 3, 1), n, h*w, d)
}

// features runs the encoder: every block but the last is followed by a
// 2×2 max-pool.
func (m *Model) features(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	h := x
	for b := range m.vgg.Blocks {
		h = m.vgg.Block(tp, b, h)
		if b < len(m.vgg.Blocks)-1 {
			h = tp.MaxPool2D(h, 2, 2, 0)
		}
	}
	return h
}

// memory is what the decoder reads at every step: the annotations, their
// projection W_a a_i + b_a (nil without attention) and their mean.
type memory struct {
	ann, proj, mean *autograd.Var
}

func (m *Model) memory(tp *autograd.Tape, ann *autograd.Var) memory {
	mem := memory{ann: ann, mean: tp.MeanAxis(ann, 1, false)}
	if m.attEnc != nil {
		mem.proj = m.attEnc.Forward(tp, ann)
	}
	return mem
}

// expand repeats the memory's rows: row r of the result is row rows[r].
func (mem memory) expand(tp *autograd.Tape, rows []int) memory {
	out := memory{ann: tp.IndexSelect(mem.ann, 0, rows), mean: tp.IndexSelect(mem.mean, 0, rows)}
	if mem.proj != nil {
		out.proj = tp.IndexSelect(mem.proj, 0, rows)
	}
	return out
}

// initState returns h_0 and c_0 from the mean annotation.
func (m *Model) initState(tp *autograd.Tape, mem memory) (h, c *autograd.Var) {
	return tp.Tanh(m.initH.Forward(tp, mem.mean)), tp.Tanh(m.initC.Forward(tp, mem.mean))
}

// scores returns e_t [N, L] = f_att(a_i, h_{t−1}).
func (m *Model) scores(tp *autograd.Tape, mem memory, h *autograd.Var) *autograd.Var {
	return tp.AdditiveScore(mem.proj, m.attDec.Forward(tp, h), m.attScore.Weight)
}

// gated returns β_t·ctx with β_t = σ(f_β(h_{t−1})).
func (m *Model) gated(tp *autograd.Tape, ctx, h *autograd.Var) *autograd.Var {
	return tp.Mul(ctx, tp.Sigmoid(m.gate.Forward(tp, h)))
}

// expected returns the soft (expected) context ẑ_t and α_t for state h;
// α is nil without attention, where ẑ_t is the mean annotation.
func (m *Model) expected(tp *autograd.Tape, mem memory, h *autograd.Var) (z, alpha *autograd.Var) {
	if mem.proj == nil {
		return mem.mean, nil
	}
	alpha = tp.Softmax(m.scores(tp, mem, h), 1)
	return m.gated(tp, tp.WeightedSum(alpha, mem.ann), h), alpha
}

// deepOutput returns the logits L_o(E y_{t−1} + L_h h_t + L_z ẑ_t) for
// rows of any number of steps at once, with dropout on h_t and on the sum
// when rng is not nil (training).
func (m *Model) deepOutput(tp *autograd.Tape, emb, h, z *autograd.Var, rng *rand.Rand) *autograd.Var {
	p := float32(m.Cfg.Dropout)
	train := rng != nil
	h = tp.Dropout(h, p, train, rng)
	u := tp.Add(emb, tp.Linear2(h, m.outH.Weight, m.outH.Bias, z, m.outZ.Weight, nil))
	return m.outO.Forward(tp, tp.Dropout(u, p, train, rng))
}
