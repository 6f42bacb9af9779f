package lpa

import (
	"fmt"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train: the loop's options and the data's. Zero
// values take the defaults noted; the defaults are the paper's reference
// schedule (section 4).
type TrainOptions struct {
	// Options are the loop's settings. Defaults: 300 epochs, batch 64,
	// sgd at 0.05 (0.1 at the paper's batch 128) with momentum 0.9 (adam:
	// 1e-3), weight decay 5e-4 (negative for none), the step schedule
	// halving the rate every 25 epochs, no clipping, one thread.
	trainrun.Options
	Val      int // images held out for validation (see DataOptions)
	Limit    int // train on only the first Limit images (> 0)
	ValLimit int // validate on only the first ValLimit images (> 0)
	Side     int // image-folder input side (default 64)
	// Renders makes the built-in training split finite: its images are
	// rendered Renders times and the epochs cycle through those renderings
	// (1: one fixed set, like a stored dataset). 0 renders anew every epoch.
	Renders int

	// Report says where the per-epoch lines and the progress bar go.
	Report trainrun.Report `json:"-"`
}

// EpochReport summarises one epoch.
type EpochReport = trainrun.EpochReport

// StatePath returns the per-epoch state file a resumed run continues from.
func StatePath(out string) string { return trainrun.StatePath(out) }

// trainDefaults are the loop's defaults that TrainOptions describes.
var trainDefaults = trainrun.Defaults{
	Options: trainrun.Options{Epochs: 300, Batch: 64, Optimizer: "sgd", LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4,
		Schedule: "step", StepSize: 25, Gamma: 0.5, Patience: 10, Threads: 1},
	ByOptimizer: map[string]trainrun.Options{"adam": {LR: 1e-3}},
}

func (o *TrainOptions) defaults() {
	o.Options = o.Options.WithDefaults(trainDefaults)
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
		return nil, &trainrun.OptionError{Option: "Batch", Err: fmt.Errorf("batch %d: batch norm needs at least 2 images", opt.Batch)}
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
	batch := min(opt.Batch, train.Len())
	pix := cfg.Channels * cfg.Side * cfg.Side
	t := &trainer{m: m, train: train, val: val, seed: opt.Seed, batch: batch, threads: opt.Threads,
		images: make([]float32, batch*pix), labels: make([]int, batch)}
	opt.Record = opt
	_, err = trainrun.Fit(t, opt.Options, opt.Report)
	m.Train(false)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// trainer feeds the model to trainrun.Fit: shuffled, augmented full
// batches of the training split, cross-entropy, and the error on the
// validation split.
type trainer struct {
	m          *Model
	train, val Dataset
	seed       uint64
	batch      int
	threads    int
	order      []int
	aug        *rand.Rand
	images     []float32
	labels     []int
	correct, n int // running counts of the epoch
}

func (t *trainer) Params() []*autograd.Var { return t.m.Params() }

// BeginEpoch draws the epoch's order and augmentation from the seed and
// switches batch norm to batch statistics. The last partial batch is
// dropped: batch norm wants full ones.
func (t *trainer) BeginEpoch(epoch int) (int, error) {
	t.train.SetEpoch(epoch)
	t.order = rand.New(rand.NewPCG(t.seed, uint64(epoch))).Perm(t.train.Len())
	t.aug = rand.New(rand.NewPCG(t.seed^0x415547, uint64(epoch)))
	t.m.Train(true)
	t.correct, t.n = 0, 0
	return len(t.order) / t.batch, nil
}

func (t *trainer) Step(tp *autograd.Tape, _, bi int) (*autograd.Var, int, error) {
	cfg := t.m.Cfg
	pix := cfg.Channels * cfg.Side * cfg.Side
	idx := t.order[bi*t.batch : (bi+1)*t.batch]
	for i, k := range idx {
		t.labels[i] = t.train.Load(k, t.images[i*pix:(i+1)*pix], t.aug)
	}
	x := tp.Const(tp.View(t.images, t.batch, cfg.Channels, cfg.Side, cfg.Side))
	out := t.m.Forward(tp, x)
	loss := tp.CrossEntropy(out.Logits, t.labels, -100)
	t.correct += trainrun.CountCorrect(out.Logits.Value.Data, t.labels, cfg.Classes)
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
		return fmt.Errorf("%s was trained as %s %+v, not %s %+v", f.Name, saved.Cfg.Name(), saved.Cfg, t.m.Cfg.Name(), t.m.Cfg)
	}
	return nn.CopyParams(t.m, saved)
}
