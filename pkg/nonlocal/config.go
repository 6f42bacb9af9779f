package nonlocal

import (
	"fmt"
	"strings"
)

// Pairwise names the function f(x_i, x_j) of a block and its normaliser
// C(x) (section 3.2 of the paper).
type Pairwise string

const (
	// Gaussian is f = exp(x_iᵀx_j) on the block's input itself, with
	// C = Σ_j f: a softmax over j of x_iᵀx_j (eq. 2). No θ or φ.
	Gaussian Pairwise = "gaussian"
	// Embedded is the embedded Gaussian f = exp(θ(x_i)ᵀφ(x_j)), C = Σ_j f:
	// a softmax over j of θ_iᵀφ_j, the self-attention form (eq. 3).
	Embedded Pairwise = "embedded"
	// Dot is the dot product f = θ(x_i)ᵀφ(x_j) with C = the number of
	// positions j (eq. 4).
	Dot Pairwise = "dot"
	// Concat is the concatenation f = ReLU(w_fᵀ[θ(x_i), φ(x_j)]) with C =
	// the number of positions j (eq. 5).
	Concat Pairwise = "concat"
)

// PairwiseNames lists the pairwise functions in the paper's order.
var PairwiseNames = []Pairwise{Gaussian, Embedded, Dot, Concat}

// ParsePairwise returns the pairwise function named s.
func ParsePairwise(s string) (Pairwise, error) {
	for _, p := range PairwiseNames {
		if string(p) == s {
			return p, nil
		}
	}
	names := make([]string, len(PairwiseNames))
	for i, p := range PairwiseNames {
		names[i] = string(p)
	}
	return "", fmt.Errorf("nonlocal: unknown pairwise function %q (want %s)", s, strings.Join(names, ", "))
}

// BlockConfig defines a non-local block. It has JSON names so a model can
// keep it in its checkpoint's metadata.
type BlockConfig struct {
	// Channels is C, the width of the input and of the output.
	Channels int `json:"channels"`
	// Inner is the width d of θ, φ and g; 0 means C/2, the paper's choice
	// (section 3.3).
	Inner int `json:"inner"`
	// Pairwise is the function f and its normaliser.
	Pairwise Pairwise `json:"pairwise"`
	// Dims is 2 for images [N, C, H, W] or 3 for clips [N, C, T, H, W].
	Dims int `json:"dims"`
	// Subsample max-pools φ and g by 2×2 in space (1×2×2 for clips, time
	// is never pooled), keeping a quarter of the pairs (section 3.3). For
	// the Gaussian form, which has no φ, the keys x_j are pooled instead.
	Subsample bool `json:"subsample"`
	// Scale divides θᵀφ by √d (x_iᵀx_j by √C for the Gaussian form) before
	// the normalisation. The paper does not mention it; its released code
	// scales the embedded Gaussian this way.
	Scale bool `json:"scale"`
}

// InnerWidth returns d, the width of θ, φ and g.
func (c BlockConfig) InnerWidth() int {
	if c.Inner > 0 {
		return c.Inner
	}
	return c.Channels / 2
}

// Validate reports the first problem of the configuration.
func (c BlockConfig) Validate() error {
	switch {
	case c.Channels < 1:
		return fmt.Errorf("nonlocal: block of %d channels", c.Channels)
	case c.Inner < 0:
		return fmt.Errorf("nonlocal: inner width %d is negative", c.Inner)
	case c.InnerWidth() < 1:
		return fmt.Errorf("nonlocal: %d channels leave no inner width (C/2 = 0); give the inner width", c.Channels)
	case c.Dims != 2 && c.Dims != 3:
		return fmt.Errorf("nonlocal: a block is 2-D or 3-D, not %d-D", c.Dims)
	case c.Scale && c.Pairwise == Concat:
		return fmt.Errorf("nonlocal: the concatenation form has no θᵀφ to scale")
	}
	if _, err := ParsePairwise(string(c.Pairwise)); err != nil {
		return err
	}
	return nil
}

// embeds reports whether the block has θ and φ (every form but Gaussian).
func (c BlockConfig) embeds() bool { return c.Pairwise != Gaussian }
