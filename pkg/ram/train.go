package ram

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train. Zero values take the defaults noted.
type TrainOptions struct {
	Epochs    int     // default 200
	Batch     int     // default 128
	Optimizer string  // adam (default) or sgd (momentum, as the paper)
	LR        float64 // default 1e-3 (adam) or 0.01 (sgd)
	Momentum  float64 // sgd momentum, default 0.9
	Schedule  string  // cosine (default), step, plateau or none
	StepSize  int     // step schedule: epochs between decays (default 50)
	Gamma     float64 // step and plateau decay factor (default 0.1 / 0.5)
	Warmup    int     // epochs of linear warm-up (default 0)
	ClipNorm  float64 // clip gradients to this global norm; 0 = off
	Seed      uint64  // initial weights, training placements, policy noise
	Val       int     // images held out from the end of the training split (5000)
	Out       string  // best model path; the per-epoch state goes beside it
	Resume    bool    // continue from the state file beside Out
	// Init starts from the weights of this model file (same architecture;
	// the std, the first-location policy's sampling and the gradient routing
	// may differ) with a fresh optimizer and schedule: fine-tuning, or a
	// second schedule after a first has annealed to zero. Ignored with
	// Resume, whose state already holds the weights.
	Init    string
	Threads int // goroutines for validation (training runs on one)
	// ValPlacements is how many placements of the validation digits the
	// validation error is the mean over (DefaultValPlacements); 1 is the
	// single placement runs used until the rule changed.
	ValPlacements int
	// Limit trains on only the first Limit training digits when > 0 (smoke
	// tests and quick experiments; the validation digits stay the same).
	Limit int

	// OnBatch, if set, is called after every batch with running figures.
	OnBatch func(epoch, batch, batches int, st Stats) `json:"-"`
	// OnEpoch, if set, is called after every epoch.
	OnEpoch func(r EpochReport) `json:"-"`
}

// EpochReport summarises one epoch.
type EpochReport = trainrun.EpochReport

// StatePath returns the per-epoch state file used for --resume.
func StatePath(out string) string { return trainrun.StatePath(out) }

// ValSeed fixes the placements of the validation images.
const ValSeed uint64 = 0x56414c

func (o *TrainOptions) defaults() {
	if o.Epochs == 0 {
		o.Epochs = 200
	}
	if o.Batch == 0 {
		o.Batch = 128
	}
	if o.Optimizer == "" {
		o.Optimizer = "adam"
	}
	if o.LR == 0 {
		o.LR = 1e-3
		if o.Optimizer == "sgd" {
			o.LR = 0.01
		}
	}
	if o.Momentum == 0 {
		o.Momentum = 0.9
	}
	if o.Schedule == "" {
		o.Schedule = "cosine"
	}
	if o.StepSize == 0 {
		o.StepSize = 50
	}
	if o.Gamma == 0 {
		o.Gamma = 0.1
		if o.Schedule == "plateau" {
			o.Gamma = 0.5
		}
	}
	if o.Val == 0 {
		o.Val = data.MNISTValidationSize
	}
	if o.Threads <= 0 {
		o.Threads = 1
	}
	if o.ValPlacements == 0 {
		o.ValPlacements = DefaultValPlacements
	}
}

// Train fits a model of cfg on its task and writes the best model (lowest
// validation error) to opt.Out, and after every epoch the full training
// state to StatePath(opt.Out).
func Train(cfg Config, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	task, err := data.TaskByName(cfg.Task)
	if err != nil {
		return nil, err
	}
	if task.Size != cfg.Canvas {
		return nil, fmt.Errorf("task %s has a %d-pixel canvas, config says %d", task.Name, task.Size, cfg.Canvas)
	}
	all, err := data.LoadMNIST("train")
	if err != nil {
		return nil, err
	}
	if opt.Val < 1 || opt.Val >= all.Len() {
		return nil, fmt.Errorf("validation size %d out of range 1..%d", opt.Val, all.Len()-1)
	}
	nTrain := all.Len() - opt.Val
	if opt.Limit > 0 && opt.Limit < nTrain {
		nTrain = opt.Limit
	}
	trainDigits := all.Slice(0, nTrain, "train")
	valDigits := all.Slice(all.Len()-opt.Val, all.Len(), "val")
	trainGen, err := data.NewGenerator(task, trainDigits, opt.Seed)
	if err != nil {
		return nil, err
	}
	validator, err := NewValidator(task, valDigits, opt.ValPlacements, opt.Threads)
	if err != nil {
		return nil, err
	}

	m, err := New(cfg, opt.Seed)
	if err != nil {
		return nil, err
	}
	if opt.Init != "" && !opt.Resume {
		if err := initFrom(m, opt.Init); err != nil {
			return nil, err
		}
	}
	o, err := newOptimizer(m.Params(), opt)
	if err != nil {
		return nil, err
	}
	sched, err := newSchedule(o, opt)
	if err != nil {
		return nil, err
	}
	var plateau *optim.ReduceLROnPlateau
	if opt.Schedule == "plateau" {
		pc := optim.DefaultPlateau()
		pc.Mode, pc.Factor, pc.Patience = "min", opt.Gamma, 10
		if plateau, err = optim.NewReduceLROnPlateau(o, pc); err != nil {
			return nil, err
		}
	}
	run := trainrun.New(opt.Out, m, o, sched, plateau, opt)
	if opt.Resume {
		if err := run.Resume(opt.Epochs, m.loadTrained); err != nil {
			return nil, err
		}
	}

	batcher := data.Batcher{N: trainGen.Len(), BatchSize: opt.Batch, Seed: opt.Seed, Shuffle: true, DropLast: true}
	pix := task.Pixels()
	images := make([]float32, opt.Batch*pix)
	labels := make([]int, opt.Batch)
	tp := autograd.NewTape()
	for epoch := run.State.Epoch + 1; epoch <= opt.Epochs; epoch++ {
		start := time.Now()
		trainGen.SetEpoch(epoch)
		batches, err := batcher.Batches(epoch)
		if err != nil {
			return nil, err
		}
		var sum Stats
		for bi, idx := range batches {
			trainGen.Batch(idx, images)
			trainGen.Labels(idx, labels[:len(idx)])
			rng := rand.New(rand.NewPCG(opt.Seed^uint64(epoch)<<32, uint64(bi)))
			o.ZeroGrad()
			ep := m.Forward(tp, images[:len(idx)*pix], len(idx), 1, Sample, rng)
			loss, bs := m.Loss(tp, ep, labels[:len(idx)])
			tp.Backward(loss)
			tp.Reset()
			if opt.ClipNorm > 0 {
				optim.ClipGradNorm(m.Params(), opt.ClipNorm)
			}
			o.Step()
			sum.Loss += bs.Loss * float64(bs.N)
			sum.Correct += bs.Correct
			sum.N += bs.N
			if opt.OnBatch != nil {
				run := sum
				run.Loss /= float64(sum.N)
				run.Reward = float64(sum.Correct) / float64(sum.N)
				opt.OnBatch(epoch, bi+1, len(batches), run)
			}
		}
		_, valErr := validator.Errors(m)
		rep := EpochReport{
			Epoch: epoch, LR: o.LR(), Loss: sum.Loss / float64(sum.N),
			TrainErr: 100 * (1 - float64(sum.Correct)/float64(sum.N)),
			ValErr:   valErr, Samples: sum.N,
		}
		rep.Seconds = time.Since(start).Seconds()
		if err := run.EndEpoch(&rep); err != nil {
			return nil, err
		}
		if opt.OnEpoch != nil {
			opt.OnEpoch(rep)
		}
	}
	return m, nil
}

func newOptimizer(params []*autograd.Var, opt TrainOptions) (optim.Optimizer, error) {
	switch opt.Optimizer {
	case "adam":
		c := optim.DefaultAdam()
		c.LR = opt.LR
		return optim.NewAdam(params, c)
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: opt.LR, Momentum: opt.Momentum})
	}
	return nil, fmt.Errorf("optimizer %q: want adam or sgd", opt.Optimizer)
}

// newSchedule returns the per-epoch schedule (nil for none and plateau,
// which steps on the validation error instead).
func newSchedule(o optim.Optimizer, opt TrainOptions) (optim.Scheduler, error) {
	var inner optim.Scheduler
	var err error
	switch opt.Schedule {
	case "cosine":
		inner, err = optim.NewCosineAnnealing(o, max(opt.Epochs-opt.Warmup, 1), 0)
	case "step":
		inner, err = optim.NewStepLR(o, opt.StepSize, opt.Gamma)
	case "none", "plateau":
	default:
		return nil, fmt.Errorf("schedule %q: want cosine, step, plateau or none", opt.Schedule)
	}
	if err != nil || opt.Warmup == 0 || inner == nil {
		return inner, err
	}
	return optim.NewLinearWarmup(o, inner, opt.Warmup, 0.1)
}

// loadTrained copies the weights of a state file written by a run of the
// same configuration.
func (m *Model) loadTrained(f *ckpt.File) error {
	saved, err := FromFile(f)
	if err != nil {
		return err
	}
	if saved.Cfg != m.Cfg {
		return fmt.Errorf("--resume: %s was trained with config %+v, not %+v", f.Name, saved.Cfg, m.Cfg)
	}
	return nn.CopyParams(m, saved)
}

// initFrom copies the weights of the model at path into m. The two must
// agree on everything but the training-time knobs (the policy std and
// where the REINFORCE gradient flows), the location network's depth and
// the core: a model may gain a hidden locator layer (LocatorHidden), whose
// location network then starts fresh while everything else is copied by
// name; a model with another core (an LSTM grown from a trained ReLU RNN)
// keeps only the glimpse network and the first location, since every
// other layer reads the core's state, whose meaning changes with it.
func initFrom(m *Model, path string) error {
	src, err := Load(path)
	if err != nil {
		return fmt.Errorf("--init: %w", err)
	}
	a, b := src.Cfg, m.Cfg
	a.Std, a.DetachPolicy, a.LocatorHidden, a.Core = b.Std, b.DetachPolicy, b.LocatorHidden, b.Core
	if a != b {
		return fmt.Errorf("--init: %s has config %+v, the run wants %+v", path, src.Cfg, m.Cfg)
	}
	sameCore := src.Cfg.Core == m.Cfg.Core
	have := map[string]*autograd.Var{}
	for _, p := range src.params {
		have[p.Name] = p
	}
	for _, p := range m.params {
		if !sameCore && !strings.HasPrefix(p.Name, "glimpse.") && p != m.first {
			continue
		}
		if q, ok := have[p.Name]; ok && slices.Equal(q.Value.Shape, p.Value.Shape) {
			copy(p.Value.Data, q.Value.Data)
		}
	}
	return nil
}
