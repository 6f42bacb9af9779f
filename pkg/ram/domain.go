package ram

import "github.com/attnkit/attn/pkg/domain"

// Domain returns the statistics of the canvases a model of this
// configuration was trained on, to score how much an input canvas (as
// ToCanvas makes it) looks like them; false when the task has no
// built-in reference at the model's canvas size.
func (c Config) Domain() (domain.Reference, bool) {
	return domain.Builtin("ram/"+c.Task, 1, c.Canvas)
}
