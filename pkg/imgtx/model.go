package imgtx

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/nn"
)

// Model is an Image Transformer or a gated PixelCNN with its
// configuration.
type Model struct {
	Cfg Config
	g   *geometry
	tx  *transformer // Arch transformer
	pc  *pixelCNN    // Arch pixelcnn
}

// New builds a model of cfg with weights drawn from seed.
func New(cfg Config, seed uint64) (*Model, error) {
	return build(cfg, rand.New(rand.NewPCG(seed, 0x696d67)))
}

// build builds the model of cfg, drawing its weights from rng. A nil rng
// draws nothing and leaves the weights zero (see nn.Uniform): FromFile
// overwrites every one of them with the file's.
func build(cfg Config, rng *rand.Rand) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Cfg: cfg, g: newGeometry(cfg)}
	if cfg.Arch == "pixelcnn" {
		m.pc = newPixelCNN(rng, cfg)
		return m, nil
	}
	tx, err := newTransformer(rng, cfg, m.g)
	if err != nil {
		return nil, err
	}
	m.tx = tx
	return m, nil
}

func (m *Model) modules() nn.List {
	if m.pc != nil {
		return m.pc.modules()
	}
	return m.tx.modules()
}

// Params returns the trainable parameters in state-dict order.
func (m *Model) Params() []*autograd.Var { return m.modules().Params() }

// Buffers returns nothing: the model has no buffers.
func (m *Model) Buffers() []nn.Buffer { return nil }

// NumParams returns the number of trainable weights.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params() {
		n += p.Value.Size()
	}
	return n
}

// Order returns the generation order: element s is the grid index of the
// s-th sub-pixel generated. The caller must not modify it.
func (m *Model) Order() []int { return m.g.order }

// Batch is b images with their conditioning. Pixels holds b·Len()
// sub-pixels, each image interleaved (row by row, pixel by pixel, channel
// by channel: the h × w·C grid); Labels holds b classes (class
// conditioning) and Low b·LowLen() low-resolution sub-pixels (lowres).
type Batch struct {
	N      int
	Pixels []uint8
	Labels []int
	Low    []uint8
}

// check reports a batch that does not fit the model.
func (m *Model) check(b Batch) error {
	cfg := m.Cfg
	switch {
	case b.N < 1 || len(b.Pixels) < b.N*cfg.Len():
		return fmt.Errorf("batch of %d images with %d sub-pixels: want %d per image", b.N, len(b.Pixels), cfg.Len())
	case cfg.Cond == "class" && len(b.Labels) < b.N:
		return fmt.Errorf("class-conditional model: %d labels for %d images", len(b.Labels), b.N)
	case cfg.Cond == "lowres" && len(b.Low) < b.N*cfg.LowLen():
		return fmt.Errorf("super-resolution model: %d low-resolution sub-pixels for %d images of %d", len(b.Low), b.N, cfg.LowLen())
	}
	if cfg.Cond == "class" {
		for _, y := range b.Labels[:b.N] {
			if y < 0 || y >= cfg.Classes {
				return fmt.Errorf("class %d: the model knows classes 0..%d", y, cfg.Classes-1)
			}
		}
	}
	return nil
}

// toSequence writes the sub-pixels of n images in generation order.
func (m *Model) toSequence(dst, pix []uint8, n int) []uint8 {
	l := m.Cfg.Len()
	dst = dst[:0]
	for i := 0; i < n; i++ {
		img := pix[i*l : (i+1)*l]
		for _, gi := range m.g.order {
			dst = append(dst, img[gi])
		}
	}
	return dst
}

// Logits returns the logits [N, Len, 256] of the sub-pixels in
// generation order (row s predicts the sub-pixel Order()[s] from those
// before it). Dropout is active when train is set, drawing from rng.
func (m *Model) Logits(tp *autograd.Tape, b Batch, train bool, rng *rand.Rand) (*autograd.Var, error) {
	if err := m.check(b); err != nil {
		return nil, err
	}
	return m.logits(tp, b, m.Cfg.Len(), train, rng), nil
}

// logits runs the model on the first n positions of the sequence (all of
// them for the PixelCNN, whose convolutions see the whole grid).
func (m *Model) logits(tp *autograd.Tape, b Batch, n int, train bool, rng *rand.Rand) *autograd.Var {
	if m.pc != nil {
		return m.pc.forward(tp, m.Cfg, b.Pixels, b.Labels, b.N)
	}
	seq := m.toSequence(make([]uint8, 0, b.N*m.Cfg.Len()), b.Pixels, b.N)
	return m.tx.forward(tp, m.Cfg, m.g, seq, b.Labels, b.Low, b.N, n, train, rng)
}

// Loss returns the mean negative log-likelihood per sub-pixel in nats
// (divide by ln 2 for bits/dim) and the targets it was taken over.
func (m *Model) Loss(tp *autograd.Tape, b Batch, train bool, rng *rand.Rand) (*autograd.Var, error) {
	logits, err := m.Logits(tp, b, train, rng)
	if err != nil {
		return nil, err
	}
	targets := make([]int, 0, b.N*m.Cfg.Len())
	for _, v := range m.toSequence(make([]uint8, 0, b.N*m.Cfg.Len()), b.Pixels, b.N) {
		targets = append(targets, int(v))
	}
	return tp.CrossEntropy(tp.Reshape(logits, -1, Levels), targets, -1), nil
}

// BitsPerDim converts a mean NLL per sub-pixel in nats to bits.
func BitsPerDim(nats float64) float64 { return nats / math.Ln2 }
