package caption

import "github.com/attnkit/attn/pkg/domain"

// Domain returns the statistics of the built-in scenes, to score how much
// an input (as Input converts it) looks like them, for a model trained on
// them; false for a model trained on a Karpathy-split data set, which has
// no built-in reference.
func (c Config) Domain() (domain.Reference, bool) {
	if c.Data != "builtin" {
		return domain.Reference{}, false
	}
	return domain.Builtin("caption/builtin", 3, c.Side)
}
