package lpa

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train. Zero values take the defaults noted; the
// defaults are the paper's reference schedule (section 4).
type TrainOptions struct {
	Epochs      int     // default 300
	Batch       int     // default 64
	Optimizer   string  // sgd (default, momentum 0.9, as the paper) or adam
	LR          float64 // default 0.05 (sgd; 0.1 at the paper's batch 128) or 1e-3 (adam)
	Momentum    float64 // sgd momentum, default 0.9
	WeightDecay float64 // L2 penalty, default 5e-4; negative for none
	Schedule    string  // step (default: ×Gamma every StepSize epochs), cosine or none
	StepSize    int     // default 25
	Gamma       float64 // default 0.5 (the paper halves the rate)
	ClipNorm    float64 // clip gradients to this global norm; 0 = off
	Seed        uint64  // initial weights, renderings, batch order, augmentation
	Val         int     // images held out for validation (see DataOptions)
	Limit       int     // train on only the first Limit images (> 0)
	ValLimit    int     // validate on only the first ValLimit images (> 0)
	Side        int     // image-folder input side (default 64)
	Out         string  // best model path; the per-epoch state goes beside it (StatePath)
	Resume      bool    // continue from the state beside Out
	Threads     int     // goroutines for validation (training runs on one)
	// Renders makes the built-in training split finite: its images are
	// rendered Renders times and the epochs cycle through those renderings
	// (1: one fixed set, like a stored dataset). 0 renders anew every epoch.
	Renders int

	// OnBatch, if set, is called after every batch with running figures.
	OnBatch func(epoch, batch, batches int, st Stats) `json:"-"`
	// OnEpoch, if set, is called after every epoch.
	OnEpoch func(r EpochReport) `json:"-"`
}

// Stats are running training figures of an epoch.
type Stats struct {
	Loss    float64 // mean cross-entropy
	Correct int
	N       int
}

// EpochReport summarises one epoch.
type EpochReport = trainrun.EpochReport

// StatePath returns the per-epoch state file used for --resume.
func StatePath(out string) string { return trainrun.StatePath(out) }

func (o *TrainOptions) defaults() {
	if o.Epochs == 0 {
		o.Epochs = 300
	}
	if o.Batch == 0 {
		o.Batch = 64
	}
	if o.Optimizer == "" {
		o.Optimizer = "sgd"
	}
	if o.LR == 0 {
		o.LR = 0.05
		if o.Optimizer == "adam" {
			o.LR = 1e-3
		}
	}
	if o.Momentum == 0 {
		o.Momentum = 0.9
	}
	if o.WeightDecay == 0 {
		o.WeightDecay = 5e-4
	}
	if o.WeightDecay < 0 {
		o.WeightDecay = 0
	}
	if o.Schedule == "" {
		o.Schedule = "step"
	}
	if o.StepSize == 0 {
		o.StepSize = 25
	}
	if o.Gamma == 0 {
		o.Gamma = 0.5
	}
	if o.Threads <= 0 {
		o.Threads = 1
	}
}

// Train fits a model of cfg on src and writes the best model (lowest
// validation error) to opt.Out, and after every epoch the whole training
// state to StatePath(opt.Out). cfg.Side and cfg.Classes must match the
// data (NewConfigFor sets them); for the built-in task, cfg.Task is set to
// the version src names (or must already be that one).
func Train(cfg Config, src Source, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if src.Kind == "builtin" {
		// The model file records which version of the task it learned.
		switch {
		case cfg.Task == "":
			cfg.Task = src.TaskName()
		case cfg.Task != src.TaskName():
			return nil, fmt.Errorf("config for task %s, data %s", cfg.Task, src)
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Batch < 2 {
		return nil, fmt.Errorf("batch %d: batch norm needs at least 2 images", opt.Batch)
	}
	dopt := DataOptions{Side: cfg.Side, Val: opt.Val, Limit: opt.Limit, Seed: opt.Seed, Renders: opt.Renders}
	train, err := Open(src, "train", dopt)
	if err != nil {
		return nil, err
	}
	dopt.Limit = opt.ValLimit
	val, err := Open(src, "val", dopt)
	if err != nil {
		return nil, err
	}
	if train.Side() != cfg.Side || train.Classes() != cfg.Classes {
		return nil, fmt.Errorf("%s has %d classes of %d-pixel images, the config %d of %d", src, train.Classes(), train.Side(), cfg.Classes, cfg.Side)
	}
	if train.Len() < 2 {
		return nil, fmt.Errorf("%s: %d training images", src, train.Len())
	}
	m, err := New(cfg, opt.Seed)
	if err != nil {
		return nil, err
	}
	o, err := newOptimizer(m.Params(), opt)
	if err != nil {
		return nil, err
	}
	sched, err := newSchedule(o, opt)
	if err != nil {
		return nil, err
	}
	run := trainrun.New(opt.Out, m, o, sched, nil, opt)
	if opt.Resume {
		if err := run.Resume(opt.Epochs, m.loadTrained); err != nil {
			return nil, err
		}
	}

	batch := min(opt.Batch, train.Len())
	pix := cfg.Channels * cfg.Side * cfg.Side
	images := make([]float32, batch*pix)
	labels := make([]int, batch)
	tp := autograd.NewTape()
	for epoch := run.State.Epoch + 1; epoch <= opt.Epochs; epoch++ {
		start := time.Now()
		train.SetEpoch(epoch)
		order := rand.New(rand.NewPCG(opt.Seed, uint64(epoch))).Perm(train.Len())
		nb := len(order) / batch // drop the last partial batch: BN wants full ones
		aug := rand.New(rand.NewPCG(opt.Seed^0x415547, uint64(epoch)))
		m.Train(true)
		var sum Stats
		for bi := 0; bi < nb; bi++ {
			idx := order[bi*batch : (bi+1)*batch]
			for i, k := range idx {
				labels[i] = train.Load(k, images[i*pix:(i+1)*pix], aug)
			}
			o.ZeroGrad()
			x := tp.Const(tp.View(images, batch, cfg.Channels, cfg.Side, cfg.Side))
			out := m.Forward(tp, x)
			loss := tp.CrossEntropy(out.Logits, labels, -100)
			l := float64(loss.Value.Data[0])
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return nil, fmt.Errorf("epoch %d batch %d: the loss diverged (%g); lower --lr or set --clip", epoch, bi+1, l)
			}
			sum.Correct += correct(out.Logits.Value.Data, labels, cfg.Classes)
			tp.Backward(loss)
			tp.Reset()
			if opt.ClipNorm > 0 {
				optim.ClipGradNorm(m.Params(), opt.ClipNorm)
			}
			o.Step()
			sum.Loss += l * float64(batch)
			sum.N += batch
			if opt.OnBatch != nil {
				run := sum
				run.Loss /= float64(sum.N)
				opt.OnBatch(epoch, bi+1, nb, run)
			}
		}
		m.Train(false)
		res := m.Evaluate(val, EvalOptions{Threads: opt.Threads})
		rep := EpochReport{
			Epoch: epoch, LR: o.LR(), Loss: sum.Loss / float64(max(sum.N, 1)),
			TrainErr: 100 * (1 - float64(sum.Correct)/float64(max(sum.N, 1))),
			ValErr:   res.ErrorPct(), Samples: sum.N,
		}
		rep.Seconds = time.Since(start).Seconds()
		if err := run.EndEpoch(&rep); err != nil {
			return nil, err
		}
		if opt.OnEpoch != nil {
			opt.OnEpoch(rep)
		}
	}
	m.Train(false)
	return m, nil
}

// correct counts the rows of logits [N, C] whose argmax is the label.
func correct(logits []float32, labels []int, c int) int {
	n := 0
	for i, y := range labels {
		if argmax(logits[i*c:(i+1)*c]) == y {
			n++
		}
	}
	return n
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func newOptimizer(params []*autograd.Var, opt TrainOptions) (optim.Optimizer, error) {
	switch opt.Optimizer {
	case "adam":
		c := optim.DefaultAdam()
		c.LR, c.WeightDecay = opt.LR, opt.WeightDecay
		return optim.NewAdam(params, c)
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: opt.LR, Momentum: opt.Momentum, WeightDecay: opt.WeightDecay})
	}
	return nil, fmt.Errorf("optimizer %q: want sgd or adam", opt.Optimizer)
}

// newSchedule returns the per-epoch schedule, nil for none.
func newSchedule(o optim.Optimizer, opt TrainOptions) (optim.Scheduler, error) {
	switch opt.Schedule {
	case "step":
		return optim.NewStepLR(o, opt.StepSize, opt.Gamma)
	case "cosine":
		return optim.NewCosineAnnealing(o, opt.Epochs, 0)
	case "none":
		return nil, nil
	}
	return nil, fmt.Errorf("schedule %q: want step, cosine or none", opt.Schedule)
}

// loadTrained copies the weights of a state file written by a run of the
// same configuration.
func (m *Model) loadTrained(f *ckpt.File) error {
	saved, err := FromFile(f)
	if err != nil {
		return err
	}
	if !saved.Cfg.Equal(m.Cfg) {
		return fmt.Errorf("--resume: %s was trained as %s %+v, not %s %+v", f.Name, saved.Cfg.Name(), saved.Cfg, m.Cfg.Name(), m.Cfg)
	}
	return nn.CopyParams(m, saved)
}
