package lpa

import "github.com/attnkit/attn/pkg/domain"

// Domain returns the statistics of the images a model of this
// configuration was trained on, to score how much an input (as Explain
// feeds it to the model, Explanation.Input) looks like them; false for a
// model trained on CIFAR or an image folder, which have no built-in
// reference.
func (c Config) Domain() (domain.Reference, bool) {
	if c.Data != "builtin" {
		return domain.Reference{}, false
	}
	return domain.Builtin("lpa/"+c.BuiltinTask(), c.Channels, c.Side)
}
