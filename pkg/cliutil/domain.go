package cliutil

import (
	"sync/atomic"

	"github.com/attnkit/attn/pkg/domain"
	"github.com/urfave/cli/v2"
)

// FieldInDomain is the result key of the in-domain score.
const FieldInDomain = "in_domain"

// DomainCheck scores every input of a batch against the model's training
// data (domain.Reference.Score, a number in [0, 1]: 1 when the input's
// pixel statistics lie within the range of the training images) and
// counts those far outside it, so a batch warns once, at the end, rather
// than once per input. It is safe for concurrent use.
type DomainCheck struct {
	ref domain.Reference
	ok  bool
	far atomic.Int64
}

// NewDomainCheck returns a check against ref; ok false (a model trained
// on data without a built-in reference) makes every score null.
func NewDomainCheck(ref domain.Reference, ok bool) *DomainCheck {
	return &DomainCheck{ref: ref, ok: ok}
}

// Field scores the model input x and returns it as the in_domain result
// field, rounded to 4 decimals; nil (null in JSON) without a reference.
func (d *DomainCheck) Field(x []float32) Field {
	if !d.ok {
		return Field{Key: FieldInDomain, Value: nil}
	}
	s := d.ref.Score(x)
	if s < domain.WarnBelow {
		d.far.Add(1)
	}
	return Field{Key: FieldInDomain, Value: Round(s, 4)}
}

// Warn prints one warning line (see Warn) when some inputs scored below
// domain.WarnBelow: their results are what the model says about
// something it was never shown.
func (d *DomainCheck) Warn(c *cli.Context) {
	far := d.far.Load()
	if far == 0 {
		return
	}
	what := "inputs look"
	if far == 1 {
		what = "input looks"
	}
	Warn(c, "%d %s unlike the training data (%s < %g; the model was trained on %s)",
		far, what, FieldInDomain, domain.WarnBelow, d.ref.Data)
}
