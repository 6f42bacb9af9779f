package ram

import (
	"fmt"

	"github.com/attnkit/attn/pkg/data"
)

// DefaultValPlacements is how many placements of the validation digits
// pick a model: one placement's error favours whichever model happened to
// draw it (a spread of about 0.3 points at 1–5% error on 5,000 digits),
// and the mean over four compares models with half that noise.
const DefaultValPlacements = 4

// Validator scores a model on the validation digits placed on the task's
// canvas with several seeds: ValSeed (the placement single-placement
// runs used) and the seeds after it. It is the selection rule of the
// training loop and of bench/glimpse_valsel.
type Validator struct {
	gens    []*data.Generator
	threads int
}

// NewValidator places val on task's canvas with placements seeds.
func NewValidator(task data.Task, val *data.Digits, placements, threads int) (*Validator, error) {
	if placements < 1 {
		return nil, fmt.Errorf("validation placements %d: want at least 1", placements)
	}
	v := &Validator{threads: max(threads, 1)}
	for s := range placements {
		g, err := data.NewGenerator(task, val, ValSeed+uint64(s))
		if err != nil {
			return nil, err
		}
		v.gens = append(v.gens, g)
	}
	return v, nil
}

// Errors returns the error of m on each placement, in percent, and their
// mean. Every placement is evaluated with the same policy seed (ValSeed),
// so the figures do not depend on the thread count.
func (v *Validator) Errors(m *Model) (per []float64, mean float64) {
	for _, g := range v.gens {
		e := m.Evaluate(g, EvalOptions{Seed: ValSeed, Threads: v.threads}).ErrorPct()
		per = append(per, e)
		mean += e
	}
	return per, mean / float64(len(per))
}
