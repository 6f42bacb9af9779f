package nonlocal

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train: the loop's options and the data's. Zero
// values take the defaults noted.
type TrainOptions struct {
	// Options are the loop's settings. Defaults: 30 epochs, batch 32, sgd
	// at 0.05 with momentum 0.9 (adam: 1e-3), weight decay 1e-4 (negative
	// for none), a cosine schedule, one thread.
	trainrun.Options
	Limit    int // train on only the first Limit samples (> 0)
	ValLimit int // validate on only the first ValLimit samples (> 0)
	// Init names a model file whose trunk starts the new model
	// (Model.InitFrom), e.g. one trained on the digits task.
	Init string

	// Report says where the per-epoch lines and the progress bar go.
	Report trainrun.Report `json:"-"`
}

// EpochReport summarises one epoch.
type EpochReport = trainrun.EpochReport

// StatePath returns the per-epoch state file a resumed run continues from.
func StatePath(out string) string { return trainrun.StatePath(out) }

// trainDefaults are the loop's defaults that TrainOptions describes.
var trainDefaults = trainrun.Defaults{
	Options: trainrun.Options{Epochs: 30, Batch: 32, Optimizer: "sgd", LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4,
		Schedule: "cosine", StepSize: 10, Gamma: 0.1, Patience: 5, Threads: 1},
	ByOptimizer: map[string]trainrun.Options{"adam": {LR: 1e-3}},
}

func (o *TrainOptions) defaults() {
	o.Options = o.Options.WithDefaults(trainDefaults)
}

// Train fits a model of cfg on its task (cfg.Task) and writes the best
// model (lowest validation error) to opt.Out, and after every epoch the
// whole training state to StatePath(opt.Out).
func Train(cfg Config, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Batch < 2 {
		return nil, &trainrun.OptionError{Option: "Batch", Err: fmt.Errorf("batch %d: batch norm needs at least 2 samples", opt.Batch)}
	}
	train, err := Open(cfg.Task, "train", opt.Seed, opt.Limit)
	if err != nil {
		return nil, err
	}
	val, err := Open(cfg.Task, "val", opt.Seed, opt.ValLimit)
	if err != nil {
		return nil, err
	}
	spec := train.Spec()
	if spec.Mode != cfg.Mode || spec.Side != cfg.Side || spec.Frames != cfg.Frames || spec.Channels != cfg.Channels || spec.Classes != cfg.Classes {
		return nil, fmt.Errorf("task %s has %s samples %v of %d classes; the config wants %s %v of %d", spec.Name, spec.Mode, spec.Shape(1)[1:], spec.Classes, cfg.Mode, cfgShape(cfg), cfg.Classes)
	}
	if train.Len() < 2 {
		return nil, fmt.Errorf("task %s: %d training samples", spec.Name, train.Len())
	}
	m, err := New(cfg, opt.Seed)
	if err != nil {
		return nil, err
	}
	if opt.Init != "" {
		src, err := Load(opt.Init)
		if err != nil {
			return nil, &trainrun.OptionError{Option: "Init", Err: err}
		}
		if _, err := m.InitFrom(src); err != nil {
			return nil, &trainrun.OptionError{Option: "Init", Err: fmt.Errorf("initialise from %s: %w", opt.Init, err)}
		}
	}
	batch := min(opt.Batch, train.Len())
	t := &trainer{m: m, train: train, val: val, seed: opt.Seed, batch: batch, threads: opt.Threads,
		x: make([]float32, batch*spec.SampleSize()), labels: make([]int, batch)}
	opt.Record = opt
	_, err = trainrun.Fit(t, opt.Options, opt.Report)
	m.Train(false)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func cfgShape(c Config) []int {
	if c.Clip() {
		return []int{c.Channels, c.Frames, c.Side, c.Side}
	}
	return []int{c.Channels, c.Side, c.Side}
}

// trainer feeds the model to trainrun.Fit: shuffled full batches of the
// training split, cross-entropy, and the error on the validation split.
type trainer struct {
	m          *Model
	train, val Dataset
	seed       uint64
	batch      int
	threads    int
	order      []int
	x          []float32
	labels     []int
	correct, n int // running counts of the epoch
}

func (t *trainer) Params() []*autograd.Var { return t.m.Params() }

// BeginEpoch renders the epoch's clips (new partners and trajectories),
// draws its order from the seed and switches batch norm to batch
// statistics. The last partial batch is dropped: batch norm wants full
// ones.
func (t *trainer) BeginEpoch(epoch int) (int, error) {
	t.train.SetEpoch(epoch)
	t.order = rand.New(rand.NewPCG(t.seed, uint64(epoch))).Perm(t.train.Len())
	t.m.Train(true)
	t.correct, t.n = 0, 0
	return len(t.order) / t.batch, nil
}

func (t *trainer) Step(tp *autograd.Tape, _, bi int) (*autograd.Var, int, error) {
	spec := t.train.Spec()
	size := spec.SampleSize()
	for i, k := range t.order[bi*t.batch : (bi+1)*t.batch] {
		t.labels[i] = t.train.Load(k, t.x[i*size:(i+1)*size])
	}
	x := tp.Const(tp.View(t.x, spec.Shape(t.batch)...))
	out := t.m.Forward(tp, x)
	loss := tp.CrossEntropy(out.Logits, t.labels, -100)
	t.correct += trainrun.CountCorrect(out.Logits.Value.Data, t.labels, t.m.Cfg.Classes)
	t.n += t.batch
	return loss, t.batch, nil
}

// TrainMetric is the error on the epoch's training batches so far.
func (t *trainer) TrainMetric() trainrun.Metric {
	return trainrun.RunningError(t.correct, t.n)
}

func (t *trainer) Validate(int) (trainrun.Metric, error) {
	t.m.Train(false)
	return trainrun.ErrorMetric(t.m.Evaluate(t.val, EvalOptions{Threads: t.threads}).ErrorPct()), nil
}

func (t *trainer) File() (*ckpt.File, error) { return t.m.File() }

// LoadWeights copies the weights of a state file written by a run of the
// same configuration.
func (t *trainer) LoadWeights(f *ckpt.File) error {
	saved, err := FromFile(f)
	if err != nil {
		return err
	}
	if !saved.Cfg.Equal(t.m.Cfg) {
		return fmt.Errorf("%s was trained as %s, not %s", f.Name, saved.Cfg.Name(), t.m.Cfg.Name())
	}
	return nn.CopyParams(t.m, saved)
}
