package imgtx

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train. Zero values of the loop's options take the
// defaults noted.
type TrainOptions struct {
	// Options are the loop's settings. Defaults: 30 epochs, batch 16,
	// adam at 1e-3 (the paper's optimizer, with a cosine schedule after
	// one epoch of warm-up instead of its inverse-square-root decay),
	// gradients clipped to norm 1, one thread.
	trainrun.Options
	Limit    int // train on only the first Limit images (> 0)
	ValLimit int // validate on only the first ValLimit images (> 0)
	// EpochImages, when > 0, makes an epoch that many training images
	// instead of the whole set: the run goes through one endless stream
	// of shuffled passes (a new permutation every pass), epoch e taking
	// the stream's e-th slice. A full MNIST pass of the default model
	// takes hours on one core; shorter epochs validate, keep the best
	// model and write the state file for --resume that much more often,
	// and the stream still visits every image once per pass.
	EpochImages int
	// Init starts from the weights of this model file (same
	// configuration but for the dropout) with a fresh optimizer and
	// schedule: a second schedule after a first has annealed, or a run
	// continued on a machine that has the finished model but not the
	// state file. Ignored when resuming.
	Init string

	// Report says where the per-epoch lines and the progress bar go.
	Report trainrun.Report `json:"-"`
	// Notes receives one-off lines about the run, such as what a warm
	// start (Init) left fresh; nil drops them.
	Notes io.Writer `json:"-"`
}

// trainDefaults are the loop's defaults that TrainOptions describes.
var trainDefaults = trainrun.Defaults{
	Options: trainrun.Options{Epochs: 30, Batch: 16, Optimizer: "adam", LR: 1e-3, Schedule: "cosine", ClipNorm: 1, Threads: 1},
}

func (o *TrainOptions) defaults() {
	o.Options = o.Options.WithDefaults(trainDefaults)
}

// Train fits a model of cfg on src, writing the best model (lowest
// validation bits/dim) to opt.Out and the training state beside it.
// cfg's size and channels say what the images are converted to; for class
// conditioning cfg.Classes is taken from the data.
func Train(cfg Config, src Source, opt TrainOptions) (*Model, error) {
	opt.defaults()
	cfg.Data = src.Kind
	train, err := Open(src, "train", cfg.Height, cfg.Width, cfg.Channels, opt.Limit)
	if err != nil {
		return nil, err
	}
	val, err := Open(src, "val", cfg.Height, cfg.Width, cfg.Channels, opt.ValLimit)
	if err != nil {
		return nil, err
	}
	if cfg.Cond == "class" {
		cfg.Classes, cfg.ClassNames = len(train.Classes), train.Classes
	}
	m, err := New(cfg, opt.Seed)
	if err != nil {
		return nil, err
	}
	if opt.EpochImages > 0 && opt.EpochImages < opt.Batch {
		return nil, &trainrun.OptionError{Option: "EpochImages", Err: fmt.Errorf("%d images make no batch of %d", opt.EpochImages, opt.Batch)}
	}
	if opt.Init != "" && !opt.Resuming() {
		note, err := initFrom(m, opt.Init)
		if err != nil {
			return nil, &trainrun.OptionError{Option: "Init", Err: err}
		}
		if note != "" && opt.Notes != nil {
			fmt.Fprintln(opt.Notes, note)
		}
	}
	t := &trainer{m: m, train: train, val: val, seed: opt.Seed, batch: min(opt.Batch, train.Len()), threads: opt.Threads, epochImages: opt.EpochImages}
	opt.Record = opt
	if _, err := trainrun.Fit(t, opt.Options, opt.Report); err != nil {
		return nil, err
	}
	return m, nil
}

// initFrom copies the weights of the model file at path into m. The
// file's configuration must be m's but for the dropout, or, for a warm
// start, that of an unconditional Transformer that m extends with class or
// low-resolution conditioning; it returns a line saying what started
// fresh, or "". The new parts keep their random draw: a class embedding
// started at zero, so that the model began exactly as the one it extends,
// stayed near zero (rms 0.03 against the tokens' 0.97 after 20,000
// digits) and its samples ignored the class asked for
// (docs/experiments.md, imgtx-class).
func initFrom(m *Model, path string) (string, error) {
	src, err := Load(path)
	if err != nil {
		return "", err
	}
	a := src.Cfg
	a.Dropout = m.Cfg.Dropout
	if a.Equal(m.Cfg) {
		return "", nn.CopyParams(m, src)
	}
	if !warmStartable(src.Cfg, m.Cfg) {
		return "", fmt.Errorf("%s is %s %+v, the run trains %s %+v", path, src.Cfg.Name(), src.Cfg, m.Cfg.Name(), m.Cfg)
	}
	fresh, err := nn.WarmStart(m, src, func(n string) string {
		if m.Cfg.Cond != "lowres" {
			return n
		}
		// The encoder starts as a copy of the decoder's first layers
		// and final norm (a pretrained stack reads the image better than a
		// random one; its token embedding is copied below), as
		// encoder–decoder models are warm-started from one pretrained
		// model. A decoder layer's feed-forward norm is norm3 beside the
		// cross-attention's norm2; in a layer without cross-attention it
		// is norm2.
		if rest, ok := strings.CutPrefix(n, "enc."); ok {
			if rest == "tok_emb.weight" {
				return ""
			}
			return rest
		}
		if strings.HasPrefix(n, "layers.") {
			switch {
			case strings.Contains(n, ".norm3."):
				return strings.Replace(n, ".norm3.", ".norm2.", 1)
			case strings.Contains(n, ".norm2."):
				return ""
			}
		}
		return n
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if m.Cfg.Cond == "lowres" {
		// The low-resolution sub-pixels take the embeddings the decoder
		// learned for the same values (its table has one more row, the
		// start token), so the encoder knows from the first step that
		// 200 is near 201.
		enc := m.tx.encEmb.Weight.Value.Data
		copy(enc, src.tx.tokEmb.Weight.Value.Data[:len(enc)])
		fresh = slices.DeleteFunc(fresh, func(n string) bool { return n == m.tx.encEmb.Weight.Name })
	}
	return fmt.Sprintf("warm start from %s: %d of %d tensors copied, new: %s",
		path, len(m.Params())-len(fresh), len(m.Params()), strings.Join(fresh, ", ")), nil
}

// warmStartable reports whether a model of cfg can start from one of src:
// an unconditional Transformer of the same shape, to which cfg adds
// conditioning.
func warmStartable(src, cfg Config) bool {
	if src.Arch != "transformer" || src.Cond != "none" || cfg.Cond == "none" {
		return false
	}
	b := cfg
	b.Cond, b.Classes, b.ClassNames, b.LowRes, b.EncLayers = src.Cond, src.Classes, src.ClassNames, src.LowRes, src.EncLayers
	b.Dropout = src.Dropout
	return b.Equal(src)
}

// trainer feeds the model to trainrun.Fit.
type trainer struct {
	m           *Model
	train, val  *Dataset
	seed        uint64
	batch       int
	threads     int
	epochImages int // 0: an epoch is one pass
	order       []int
	drop        *rand.Rand
	b           Batch
	nats        float64 // the epoch's training NLL so far
	dims        int
}

func (t *trainer) Params() []*autograd.Var { return t.m.Params() }

// BeginEpoch shuffles the training images with the epoch's seed (or, with
// epochImages, takes the epoch's slice of the stream of passes); the last
// partial batch is dropped.
func (t *trainer) BeginEpoch(epoch int) (int, error) {
	if t.epochImages > 0 {
		t.order = trainrun.StreamSlice(t.seed, t.train.Len(), t.epochImages, epoch)
	} else {
		t.order = rand.New(rand.NewPCG(t.seed, uint64(epoch))).Perm(t.train.Len())
	}
	t.drop = rand.New(rand.NewPCG(t.seed^0x64726f70, uint64(epoch)))
	t.nats, t.dims = 0, 0
	return len(t.order) / t.batch, nil
}

func (t *trainer) Step(tp *autograd.Tape, _, bi int) (*autograd.Var, int, error) {
	t.train.fill(&t.b, t.m.Cfg, t.order[bi*t.batch:(bi+1)*t.batch])
	loss, err := t.m.Loss(tp, t.b, true, t.drop)
	if err != nil {
		return nil, 0, err
	}
	d := t.b.N * t.m.Cfg.Len()
	t.nats += float64(loss.Value.Data[0]) * float64(d)
	t.dims += d
	return loss, t.b.N, nil
}

// TrainMetric is the bits/dim of the epoch's training batches so far
// (with dropout).
func (t *trainer) TrainMetric() trainrun.Metric {
	return bitsMetric(BitsPerDim(t.nats / float64(max(t.dims, 1))))
}

func (t *trainer) Validate(int) (trainrun.Metric, error) {
	r, err := t.m.Evaluate(t.val, EvalOptions{Threads: t.threads})
	if err != nil {
		return trainrun.Metric{}, err
	}
	return bitsMetric(r.BitsPerDim()), nil
}

func (t *trainer) File() (*ckpt.File, error) { return t.m.File() }

// LoadWeights copies the weights of a state file of the same model.
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

// bitsMetric is bits/dim, lower is better.
func bitsMetric(v float64) trainrun.Metric {
	return trainrun.Metric{Name: "bits_per_dim", Value: v, Digits: 4}
}
