package caption

import (
	"fmt"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/trainrun"
)

// PretrainEncoder trains the encoder of a frozen-encoder model (and its
// presence head) to tell which digits a built-in scene shows: ten binary
// labels, "digit d is present", from the mean annotation through one
// linear layer, with the binary cross-entropy of each. It stands in for
// the ImageNet training of the paper's VGG, which cannot be had offline:
// the annotations learn what and where the digits are without seeing a
// caption. The epoch loop is trainrun.Fit (opt as for Train); the best
// encoder, by the validation label error, is written to opt.Out and
// loaded back into m, with its batch norms left in evaluation mode.
func PretrainEncoder(m *Model, train, val Dataset, opt trainrun.Options, rep trainrun.Report) error {
	if m.presence == nil {
		return fmt.Errorf("pretraining: the model has no presence head (its encoder is %s, not frozen)", m.Cfg.Encoder)
	}
	t := &pretrainer{m: m, train: train, val: val, opt: opt,
		images: make([]float32, min(opt.Batch, train.Len())*3*m.Cfg.Side*m.Cfg.Side)}
	if _, err := trainrun.Fit(t, opt, rep); err != nil {
		return err
	}
	best, err := ckpt.Read(opt.Out)
	if err != nil {
		return err
	}
	m.Train(false)
	return m.loadFrom(best)
}

// pretrainer feeds digit-presence training to trainrun.Fit.
type pretrainer struct {
	m          *Model
	train, val Dataset
	opt        trainrun.Options
	order      []int
	images     []float32
	labels     []int
	wrong, n   int
}

func (t *pretrainer) Params() []*autograd.Var { return t.m.encoder.Params() }

func (t *pretrainer) batch() int { return min(t.opt.Batch, t.train.Len()) }

func (t *pretrainer) BeginEpoch(epoch int) (int, error) {
	t.train.SetEpoch(epoch)
	t.order = permutation(t.opt.Seed^0x50524554, epoch, t.train.Len())
	t.m.Train(true)
	t.wrong, t.n = 0, 0
	return len(t.order) / t.batch(), nil
}

// presence2 returns the logits [N·10, 2] of "absent" (fixed at 0) and
// "present" for each digit, so the cross-entropy over each pair is the
// binary cross-entropy of the presence logit.
func (m *Model) presence2(tp *autograd.Tape, ann *autograd.Var) *autograd.Var {
	n := ann.Value.Dim(0)
	z := tp.Reshape(m.presence.Forward(tp, tp.MeanAxis(ann, 1, false)), n, 10, 1)
	return tp.Reshape(tp.Concat(2, tp.Const(tp.Alloc(n, 10, 1)), z), n*10, 2)
}

// presenceLabels fills labels [n·10] with 1 where digit d is in scene i.
func presenceLabels(ss []Sample, labels []int) error {
	clear(labels)
	for i, s := range ss {
		if s.Scene == nil {
			return fmt.Errorf("pretraining needs the built-in scenes' digit labels")
		}
		for _, o := range s.Scene.Objects {
			labels[i*10+o.Digit] = 1
		}
	}
	return nil
}

// countWrong counts the presence decisions (logit > 0) that differ from
// the labels.
func countWrong(logits []float32, labels []int) int {
	w := 0
	for k, y := range labels {
		if (logits[2*k+1] > 0) != (y == 1) {
			w++
		}
	}
	return w
}

func (t *pretrainer) Step(tp *autograd.Tape, _, bi int) (*autograd.Var, int, error) {
	B := t.batch()
	idx := t.order[bi*B : (bi+1)*B]
	_, _, ss, err := loadBatch(t.m, t.train, idx, t.images)
	if err != nil {
		return nil, 0, err
	}
	if len(t.labels) < B*10 {
		t.labels = make([]int, B*10)
	}
	if err := presenceLabels(ss, t.labels[:B*10]); err != nil {
		return nil, 0, err
	}
	S := t.m.Cfg.Side
	logits := t.m.presence2(tp, t.m.Encode(tp, tp.Const(tp.View(t.images, B, 3, S, S))))
	t.wrong += countWrong(logits.Value.Data, t.labels[:B*10])
	t.n += B * 10
	return tp.Scale(tp.CrossEntropy(logits, t.labels[:B*10], -100), 10), B, nil
}

func presenceMetric(pct float64) trainrun.Metric {
	return trainrun.Metric{Name: "presence_error_pct", Value: pct, Digits: 3}
}

// TrainMetric is the label error on the epoch's training batches.
func (t *pretrainer) TrainMetric() trainrun.Metric {
	return presenceMetric(100 * float64(t.wrong) / float64(max(t.n, 1)))
}

// Validate returns the label error on the validation scenes.
func (t *pretrainer) Validate(int) (trainrun.Metric, error) {
	t.m.Train(false)
	tp := autograd.NewInference()
	B := t.batch()
	wrong, n := 0, 0
	labels := make([]int, B*10)
	S := t.m.Cfg.Side
	for lo := 0; lo < t.val.Len(); lo += B {
		hi := min(lo+B, t.val.Len())
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		_, _, ss, err := loadBatch(t.m, t.val, idx, t.images)
		if err == nil {
			err = presenceLabels(ss, labels[:len(idx)*10])
		}
		if err != nil {
			return trainrun.Metric{}, err
		}
		logits := t.m.presence2(tp, t.m.Encode(tp, tp.Const(tp.View(t.images[:len(idx)*3*S*S], len(idx), 3, S, S))))
		wrong += countWrong(logits.Value.Data, labels[:len(idx)*10])
		n += len(idx) * 10
		tp.Reset()
	}
	return presenceMetric(100 * float64(wrong) / float64(max(n, 1))), nil
}

func (t *pretrainer) File() (*ckpt.File, error)      { return t.m.File() }
func (t *pretrainer) LoadWeights(f *ckpt.File) error { return t.m.loadFrom(f) }
