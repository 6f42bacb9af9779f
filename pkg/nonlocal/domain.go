package nonlocal

import "github.com/attnkit/attn/pkg/domain"

// Domain returns the statistics of the built-in task a model of this
// configuration was trained on, to score how much an input (as Input
// makes it) looks like it; false when the task has no built-in
// reference at the model's size.
func (c Config) Domain() (domain.Reference, bool) {
	return domain.Builtin("nonlocal/"+c.Task, c.Channels, c.Side)
}
