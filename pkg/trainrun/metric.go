// Package trainrun is the training loop every model of the toolkit shares:
// the options (epochs, batch size, optimizer, schedule, warm-up, clipping,
// seed, threads), the epoch loop, validation, choosing and writing the
// best model, the per-epoch state file a run resumes from, the progress
// bar and the per-epoch log line.
//
// A model takes part by implementing Trainer: it builds the loss of one
// batch on a tape, scores itself on its validation data as a Metric, and
// saves and loads its weights. Fit does everything else, in the same order
// for every model, so that a run from the same seed and thread count gives
// the same bits and a resumed run continues exactly where it stopped.
//
// A state file is the model's own file plus the optimizer's moments
// (optim.Optimizer.SaveState) and a "train" metadata entry holding the
// State, so a state file also loads as a model.
package trainrun

import (
	"math"
	"strconv"

	"github.com/attnkit/attn/pkg/vec"
)

// Metric is a validation (or training) figure with its name and its
// direction, so the loop can rank models without knowing what the figure
// means: an error rate or bits per dimension is lower-is-better, a BLEU
// score, a PSNR or an IoU higher-is-better.
type Metric struct {
	// Name is a short identifier without spaces, e.g. "error_pct" or
	// "nll"; the log's keys are derived from it (val_<name>,
	// best_val_<name>, train_<name>).
	Name string
	// Value is the figure itself.
	Value float64
	// HigherBetter is true when a larger Value is an improvement.
	HigherBetter bool
	// Digits is how many decimals the per-epoch line keeps (0 keeps 4).
	Digits int
}

// Better reports whether m improves strictly on o, in m's direction. A
// NaN never improves on anything, and any number improves on a NaN.
func (m Metric) Better(o Metric) bool {
	switch {
	case math.IsNaN(m.Value):
		return false
	case math.IsNaN(o.Value):
		return true
	case m.HigherBetter:
		return m.Value > o.Value
	}
	return m.Value < o.Value
}

// String formats the metric as "name value".
func (m Metric) String() string {
	return m.Name + " " + strconv.FormatFloat(m.rounded(), 'g', -1, 64)
}

// rounded returns the value rounded to the metric's decimals for the log.
func (m Metric) rounded() float64 {
	d := m.Digits
	if d == 0 {
		d = 4
	}
	return roundTo(m.Value, d)
}

// roundTo rounds v to d decimals (half up) for printing.
func roundTo(v float64, d int) float64 {
	p := 1.0
	for i := 0; i < d; i++ {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

// ErrorMetric is a classifier's error in percent (lower is better, two
// decimals in the log): the metric the classifiers' best models are
// chosen by.
func ErrorMetric(pct float64) Metric {
	return Metric{Name: "error_pct", Value: pct, Digits: 2}
}

// RunningError is the ErrorMetric of correct answers out of n so far (0
// before any).
func RunningError(correct, n int) Metric {
	return ErrorMetric(100 * (1 - float64(correct)/float64(max(n, 1))))
}

// CountCorrect counts the rows of logits [N, classes] whose argmax is the
// row's label: the correct answers RunningError takes.
func CountCorrect(logits []float32, labels []int, classes int) int {
	n := 0
	for i, y := range labels {
		if vec.Argmax(logits[i*classes:(i+1)*classes]) == y {
			n++
		}
	}
	return n
}
