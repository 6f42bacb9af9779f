package ram

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train: the loop's options and the data's. Zero
// values take the defaults noted.
type TrainOptions struct {
	// Options are the loop's settings. Defaults: 200 epochs, batch 128,
	// adam at 1e-3 (sgd: 0.01, momentum 0.9, as the paper), cosine
	// schedule (step: ×0.1 every 50 epochs; plateau: ×0.5 after 10 epochs
	// without improvement), no warm-up, no clipping, one thread.
	trainrun.Options
	Val int // images held out from the end of the training split (5000)
	// Init starts from the weights of this model file (same architecture;
	// the std, the first-location policy's sampling and the gradient routing
	// may differ) with a fresh optimizer and schedule: fine-tuning, or a
	// second schedule after a first has annealed to zero. Ignored with
	// Resume, whose state already holds the weights.
	Init string
	// ValPlacements is how many placements of the validation digits the
	// validation error is the mean over (DefaultValPlacements); 1 scores a
	// single placement.
	ValPlacements int
	// Limit trains on only the first Limit training digits when > 0 (smoke
	// tests and quick experiments; the validation digits stay the same).
	Limit int

	// Report says where the per-epoch lines and the progress bar go.
	Report trainrun.Report `json:"-"`
}

// EpochReport summarises one epoch.
type EpochReport = trainrun.EpochReport

// StatePath returns the per-epoch state file a resumed run continues from.
func StatePath(out string) string { return trainrun.StatePath(out) }

// ValSeed fixes the placements of the validation images.
const ValSeed uint64 = 0x56414c

// trainDefaults are the loop's defaults that TrainOptions describes.
var trainDefaults = trainrun.Defaults{
	Options: trainrun.Options{Epochs: 200, Batch: 128, Optimizer: "adam", LR: 1e-3, Momentum: 0.9,
		Schedule: "cosine", StepSize: 50, Gamma: 0.1, Patience: 10, Threads: 1},
	ByOptimizer: map[string]trainrun.Options{"sgd": {LR: 0.01}},
	BySchedule:  map[string]trainrun.Options{"plateau": {Gamma: 0.5}},
}

func (o *TrainOptions) defaults() {
	o.Options = o.Options.WithDefaults(trainDefaults)
	if o.Val == 0 {
		o.Val = data.MNISTValidationSize
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
		return nil, &trainrun.OptionError{Option: "Val", Err: fmt.Errorf("validation size %d out of range 1..%d", opt.Val, all.Len()-1)}
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
		return nil, &trainrun.OptionError{Option: "ValPlacements", Err: err}
	}

	m, err := New(cfg, opt.Seed)
	if err != nil {
		return nil, err
	}
	if opt.Init != "" && !opt.Resume {
		if err := initFrom(m, opt.Init); err != nil {
			return nil, &trainrun.OptionError{Option: "Init", Err: err}
		}
	}
	t := &trainer{m: m, gen: trainGen, val: validator, seed: opt.Seed,
		batcher: data.Batcher{N: trainGen.Len(), BatchSize: opt.Batch, Seed: opt.Seed, Shuffle: true, DropLast: true}}
	t.images = make([]float32, opt.Batch*task.Pixels())
	t.labels = make([]int, opt.Batch)
	opt.Record = opt
	if _, err := trainrun.Fit(t, opt.Options, opt.Report); err != nil {
		return nil, err
	}
	return m, nil
}

// trainer feeds the model to trainrun.Fit: batches of freshly placed
// training digits, the hybrid loss, and the mean validation error over
// the validator's placements.
type trainer struct {
	m       *Model
	gen     *data.Generator
	val     *Validator
	seed    uint64
	batcher data.Batcher
	batches [][]int
	images  []float32
	labels  []int
	sum     Stats // running figures of the epoch
}

func (t *trainer) Params() []*autograd.Var { return t.m.Params() }

func (t *trainer) BeginEpoch(epoch int) (int, error) {
	t.gen.SetEpoch(epoch)
	b, err := t.batcher.Batches(epoch)
	t.batches, t.sum = b, Stats{}
	return len(b), err
}

// Step places the batch's digits and builds the hybrid loss; the policy's
// samples draw from (seed, epoch, batch), so a resumed run draws the same.
func (t *trainer) Step(tp *autograd.Tape, epoch, bi int) (*autograd.Var, int, error) {
	idx := t.batches[bi]
	pix := t.gen.Task().Pixels()
	t.gen.Batch(idx, t.images)
	t.gen.Labels(idx, t.labels[:len(idx)])
	rng := rand.New(rand.NewPCG(t.seed^uint64(epoch)<<32, uint64(bi)))
	ep := t.m.Forward(tp, t.images[:len(idx)*pix], len(idx), 1, Sample, rng)
	loss, bs := t.m.Loss(tp, ep, t.labels[:len(idx)])
	t.sum.Correct += bs.Correct
	t.sum.N += bs.N
	return loss, bs.N, nil
}

// TrainMetric is the error on the epoch's training batches so far.
func (t *trainer) TrainMetric() trainrun.Metric {
	return trainrun.RunningError(t.sum.Correct, t.sum.N)
}

func (t *trainer) Validate(int) (trainrun.Metric, error) {
	_, mean := t.val.Errors(t.m)
	return trainrun.ErrorMetric(mean), nil
}

func (t *trainer) File() (*ckpt.File, error) { return t.m.File() }

// LoadWeights copies the weights of a state file written by a run of the
// same configuration.
func (t *trainer) LoadWeights(f *ckpt.File) error {
	saved, err := FromFile(f)
	if err != nil {
		return err
	}
	if saved.Cfg != t.m.Cfg {
		return fmt.Errorf("%s was trained with config %+v, not %+v", f.Name, saved.Cfg, t.m.Cfg)
	}
	return nn.CopyParams(t.m, saved)
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
		return err
	}
	a, b := src.Cfg, m.Cfg
	a.Std, a.DetachPolicy, a.LocatorHidden, a.Core = b.Std, b.DetachPolicy, b.LocatorHidden, b.Core
	if a != b {
		return fmt.Errorf("%s has config %+v, the run wants %+v", path, src.Cfg, m.Cfg)
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
