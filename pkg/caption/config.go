package caption

import (
	"fmt"
	"slices"
)

// Attention modes of the decoder (Config.Attention).
const (
	// AttnSoft is deterministic soft attention: ẑ_t = β_t Σ_i α_ti a_i,
	// trained by backpropagation (section 4.2 of the paper).
	AttnSoft = "soft"
	// AttnHard is stochastic hard attention: during training the context
	// is the annotation of a location s_t ~ Multinoulli(α_t), trained with
	// REINFORCE (section 4.1); at test time it is the expected context,
	// as for soft attention (see Model).
	AttnHard = "hard"
	// AttnNone is the no-attention baseline: the mean annotation at every
	// step, through the same decoder.
	AttnNone = "none"
)

// Encoder modes (Config.Encoder).
const (
	// EncoderJoint trains the CNN together with the decoder.
	EncoderJoint = "joint"
	// EncoderFrozen pretrains the CNN on digit presence (PretrainEncoder)
	// and keeps it fixed while the decoder trains, as the paper keeps its
	// ImageNet VGG fixed.
	EncoderFrozen = "frozen"
)

// DefaultLambda is the weight of the doubly stochastic penalty
// λ Σ_i (1 − Σ_t α_ti)². Implementations of the paper use 1, with 196
// locations and captions of 10–20 words. Here there are 64 locations and
// a caption names at most three small objects: at λ = 1 spreading the
// attention evenly was about 11 nats per caption cheaper than attending
// to the named digit, and trained models looked everywhere. At 0.1 the
// validation NLL was lower and the attention inside the named box twice
// as high.
const DefaultLambda = 0.1

// Default encoder: four blocks on 64×64 inputs, the annotations taken
// from the last block before its pool (as the paper takes conv5_3): an
// 8×8 grid of 128-dimensional vectors, each cell with a receptive field
// of about 40 pixels, which covers a whole 28-pixel digit. A three-block
// encoder (a ~15-pixel field) named digits poorly.
var (
	DefaultWidths = []int{32, 64, 128, 128}
	DefaultConvs  = []int{1, 1, 1, 2}
)

// Config defines a model's shape; it is stored in the model file, with
// the vocabulary beside it (metadata "vocab"), so a file is
// self-describing.
type Config struct {
	Data      string  `json:"data"`      // what it was trained on: builtin or karpathy
	Side      int     `json:"side"`      // input side in pixels; a multiple of 2^(blocks−1)
	Widths    []int   `json:"widths"`    // encoder: channels of each block
	Convs     []int   `json:"convs"`     // encoder: 3×3 convolutions per block
	Vocab     int     `json:"vocab"`     // words, the four special tokens included
	Embed     int     `json:"embed"`     // word embedding size (E)
	Hidden    int     `json:"hidden"`    // LSTM units (H)
	AttnDim   int     `json:"attn_dim"`  // hidden size of f_att (A)
	Attention string  `json:"attention"` // soft, hard or none
	Encoder   string  `json:"encoder"`   // joint or frozen
	Lambda    float64 `json:"lambda"`    // doubly stochastic penalty weight
	// Supervision weighs the attention supervision term (built-in scenes
	// only; 0: none, as in the paper): see LossOptions.Boxes.
	Supervision float64 `json:"attn_supervision,omitempty"`
	Dropout     float64 `json:"dropout"` // dropout before the deep output layers
	MaxLen      int     `json:"max_len"` // longest caption decoding produces, in words
}

// DefaultConfig returns the reference soft-attention model for the
// built-in scenes with a vocabulary of vocab words.
func DefaultConfig(vocab int) Config {
	return Config{
		Data: "builtin", Side: 64, Widths: slices.Clone(DefaultWidths), Convs: slices.Clone(DefaultConvs),
		Vocab: vocab, Embed: 64, Hidden: 192, AttnDim: 128,
		Attention: AttnSoft, Encoder: EncoderJoint, Lambda: DefaultLambda, Dropout: 0.3, MaxLen: 24,
	}
}

// Grid returns the side of the annotation grid (the last block runs at
// Side / 2^(blocks−1)) and the number of locations L.
func (c Config) Grid() (side, locations int) {
	s := c.Side >> (len(c.Widths) - 1)
	return s, s * s
}

// Dim returns the size D of one annotation vector.
func (c Config) Dim() int { return c.Widths[len(c.Widths)-1] }

// Equal reports whether two configurations build the same model.
func (c Config) Equal(o Config) bool {
	return c.Data == o.Data && c.Side == o.Side && slices.Equal(c.Widths, o.Widths) && slices.Equal(c.Convs, o.Convs) &&
		c.Vocab == o.Vocab && c.Embed == o.Embed && c.Hidden == o.Hidden && c.AttnDim == o.AttnDim &&
		c.Attention == o.Attention && c.Encoder == o.Encoder && c.Lambda == o.Lambda && c.Supervision == o.Supervision && c.Dropout == o.Dropout && c.MaxLen == o.MaxLen
}

// Validate reports a configuration that cannot be built.
func (c Config) Validate() error {
	nb := len(c.Widths)
	switch {
	case c.Data != "builtin" && c.Data != "karpathy":
		return fmt.Errorf("data %q: want builtin or karpathy", c.Data)
	case nb < 1 || nb > 8 || len(c.Convs) != nb:
		return fmt.Errorf("encoder widths %v and convs %v: want 1..8 blocks, as many of each", c.Widths, c.Convs)
	case c.Side < 8 || c.Side > 1024 || c.Side%(1<<(nb-1)) != 0:
		return fmt.Errorf("side %d: want a multiple of %d in 8..1024", c.Side, 1<<(nb-1))
	case c.Vocab < 5:
		return fmt.Errorf("vocabulary of %d words: want the 4 special tokens and at least one word", c.Vocab)
	case c.Embed < 1 || c.Hidden < 1 || c.AttnDim < 1 || c.Embed > 4096 || c.Hidden > 4096 || c.AttnDim > 4096:
		return fmt.Errorf("embed %d, hidden %d, attention %d: want 1..4096 each", c.Embed, c.Hidden, c.AttnDim)
	case c.Attention != AttnSoft && c.Attention != AttnHard && c.Attention != AttnNone:
		return fmt.Errorf("attention %q: want soft, hard or none", c.Attention)
	case c.Encoder != EncoderJoint && c.Encoder != EncoderFrozen:
		return fmt.Errorf("encoder %q: want joint or frozen", c.Encoder)
	case !(c.Lambda >= 0) || c.Lambda > 100:
		return fmt.Errorf("penalty weight %g: want 0..100", c.Lambda)
	case !(c.Supervision >= 0) || c.Supervision > 100:
		return fmt.Errorf("attention supervision weight %g: want 0..100", c.Supervision)
	case c.Supervision > 0 && c.Attention == AttnNone:
		return fmt.Errorf("attention supervision needs attention (soft or hard)")
	case c.Supervision > 0 && c.Data != "builtin":
		return fmt.Errorf("attention supervision needs the built-in scenes' word boxes; %s data has none", c.Data)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("dropout %g: want 0 ≤ p < 1", c.Dropout)
	case c.MaxLen < 1 || c.MaxLen > 200:
		return fmt.Errorf("maximum caption length %d: want 1..200", c.MaxLen)
	}
	for b := range c.Widths {
		if c.Widths[b] < 1 || c.Widths[b] > 4096 || c.Convs[b] < 1 || c.Convs[b] > 8 {
			return fmt.Errorf("encoder block %d: width %d, %d convolutions (want 1..4096 and 1..8)", b+1, c.Widths[b], c.Convs[b])
		}
	}
	return nil
}
