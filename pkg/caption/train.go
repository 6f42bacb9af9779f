package caption

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/trainrun"
)

// TrainOptions control Train. Zero values take the defaults noted.
type TrainOptions struct {
	// Options are the loop's settings. Defaults: 10 epochs, batch 32
	// images (each with all its references, 5 for the built-in scenes),
	// Adam at 1e-3 (sgd: 0.1, momentum 0.9), no weight decay (negative
	// for none as well), a cosine schedule, gradients clipped to norm 5
	// (negative: off), one thread.
	trainrun.Options
	Scenes    int // built-in training scenes per epoch (default DefaultTrainScenes)
	ValScenes int // built-in validation scenes (default DefaultValScenes)
	Limit     int // train on only the first Limit images (> 0)
	ValLimit  int // validate on only the first ValLimit images (> 0)
	MinCount  int // karpathy: words seen fewer times in training become <unk> (default 5)
	// PretrainEpochs are the epochs of digit-presence pretraining of a
	// frozen encoder (default 3).
	PretrainEpochs int
	// Init starts from the weights of this model file, with a fresh
	// optimizer and schedule: a second schedule after a first has
	// annealed, or a run continued on a machine that has only the
	// finished model and not the state file. The configuration must match
	// but for the penalty weight, the dropout and the caption length. A
	// frozen-encoder run takes its encoder from the file and is not
	// pretrained again. Ignored when resuming.
	Init string

	// Report says where the per-epoch lines and the progress bar go.
	Report trainrun.Report `json:"-"`
}

// EncoderPath returns where Train writes the pretrained encoder of a
// frozen-encoder run whose model goes to out.
func EncoderPath(out string) string {
	return strings.TrimSuffix(out, ".safetensors") + ".encoder.safetensors"
}

// trainDefaults are the loop's defaults that TrainOptions describes.
var trainDefaults = trainrun.Defaults{
	Options: trainrun.Options{Epochs: 10, Batch: 32, Optimizer: "adam", LR: 1e-3,
		Schedule: "cosine", StepSize: 5, Gamma: 0.5, ClipNorm: 5, Threads: 1},
	ByOptimizer: map[string]trainrun.Options{"sgd": {LR: 0.1, Momentum: 0.9}},
}

func (o *TrainOptions) defaults() {
	o.Options = o.Options.WithDefaults(trainDefaults)
	if o.MinCount == 0 {
		o.MinCount = 5
	}
	if o.PretrainEpochs == 0 {
		o.PretrainEpochs = 3
	}
}

// Splits opens the training and validation data of a source and the
// vocabulary a model of it uses: the scene grammar's words for the
// built-in scenes, the training split's words seen at least MinCount
// times for karpathy data.
func Splits(src Source, side int, opt TrainOptions) (train, val Dataset, vocab *data.Vocab, err error) {
	opt.defaults()
	dopt := DataOptions{Side: side, Scenes: opt.Scenes, Limit: opt.Limit, Seed: opt.Seed}
	if src.Kind == "karpathy" {
		if dopt.Karpathy, err = ReadKarpathy(src.File, src.Images); err != nil {
			return nil, nil, nil, err
		}
		vocab = dopt.Karpathy.Vocab(opt.MinCount)
		if vocab.Len() <= data.UnkID+1 {
			// Every word would be <unk>: say why rather than report a
			// vocabulary too small for a model.
			return nil, nil, nil, fmt.Errorf("%s: no word occurs %d times or more in the training captions (the minimum count)", src, max(1, opt.MinCount))
		}
	} else {
		vocab = BuiltinVocab()
	}
	if train, err = Open(src, "train", dopt); err != nil {
		return nil, nil, nil, err
	}
	dopt.Scenes, dopt.Limit = opt.ValScenes, opt.ValLimit
	if val, err = Open(src, "val", dopt); err != nil {
		return nil, nil, nil, err
	}
	if train.Len() == 0 || val.Len() == 0 {
		return nil, nil, nil, fmt.Errorf("%s: %d training and %d validation images, want some of each", src, train.Len(), val.Len())
	}
	return train, val, vocab, nil
}

// Train fits a model of cfg (its Vocab and Data set from the source) on
// src with teacher forcing, writes the model with the lowest validation
// NLL per word to opt.Out and after every epoch the training state to
// trainrun.StatePath(opt.Out). With a frozen encoder it first pretrains
// the encoder (PretrainEncoder, written to EncoderPath(opt.Out)), unless
// it resumes a run that already has.
func Train(cfg Config, src Source, opt TrainOptions) (*Model, error) {
	opt.defaults()
	train, val, vocab, err := Splits(src, cfg.Side, opt)
	if err != nil {
		return nil, err
	}
	cfg.Data, cfg.Vocab = src.Kind, vocab.Len()
	m, err := New(cfg, vocab, opt.Seed)
	if err != nil {
		return nil, err
	}
	resuming := opt.Resuming()
	initialised := false
	if opt.Init != "" && !resuming {
		if err := initFrom(m, opt.Init); err != nil {
			return nil, fmt.Errorf("initial weights: %w", err)
		}
		initialised = true
	}
	if cfg.Encoder == EncoderFrozen && !resuming && !initialised {
		if src.Kind != "builtin" {
			return nil, fmt.Errorf("a frozen encoder is pretrained on the built-in scenes' digit labels; %s has none", src)
		}
		popt := opt.Options
		popt.Epochs, popt.Out, popt.Resume = opt.PretrainEpochs, EncoderPath(opt.Out), false
		// The pretraining epochs show on the progress bar only: their
		// lines would mix another metric into the run's log.
		rep := trainrun.Report{Bar: opt.Report.Bar, Label: "pretrain " + opt.Report.Label}
		if err := PretrainEncoder(m, train, val, popt, rep); err != nil {
			var in *cliutil.Interrupted
			if errors.As(err, &in) {
				// Pretraining has no --resume of its own: the main
				// run's state file does not exist yet.
				return nil, &cliutil.Interrupted{Signal: in.Signal,
					Done: "while pretraining the encoder, which is not resumed: run again without --resume"}
			}
			return nil, fmt.Errorf("pretraining the encoder: %w", err)
		}
	}
	t := newTrainer(m, train, val, opt)
	opt.Record = opt
	_, err = trainrun.Fit(t, opt.Options, opt.Report)
	m.Train(false)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// trainer feeds the model to trainrun.Fit.
type trainer struct {
	m          *Model
	train, val Dataset
	opt        TrainOptions
	order      []int
	rng        *rand.Rand
	baseline   float64 // hard attention's moving average of log p(y|a)
	images     []float32
	nll        float64 // running sums of the epoch
	words      int
}

func newTrainer(m *Model, train, val Dataset, opt TrainOptions) *trainer {
	S := m.Cfg.Side
	return &trainer{m: m, train: train, val: val, opt: opt, baseline: math.NaN(),
		images: make([]float32, min(opt.Batch, train.Len())*3*S*S)}
}

// Params are what the optimizer updates: everything, or the decoder
// alone when the encoder is frozen.
func (t *trainer) Params() []*autograd.Var {
	if t.m.Cfg.Encoder == EncoderFrozen {
		return t.m.DecoderParams()
	}
	return t.m.Params()
}

func (t *trainer) batch() int { return min(t.opt.Batch, t.train.Len()) }

// BeginEpoch draws the epoch's order and its random stream (dropout,
// hard attention's samples) from the seed; the last partial batch is
// dropped (batch norm wants full ones).
func (t *trainer) BeginEpoch(epoch int) (int, error) {
	t.train.SetEpoch(epoch)
	t.order = rand.New(rand.NewPCG(t.opt.Seed, uint64(epoch))).Perm(t.train.Len())
	t.rng = rand.New(rand.NewPCG(t.opt.Seed^0x44524f50, uint64(epoch)))
	// A frozen encoder stays on its pretrained running statistics.
	t.m.Train(t.m.Cfg.Encoder == EncoderJoint)
	t.nll, t.words = 0, 0
	return len(t.order) / t.batch(), nil
}

// loadBatch fills images with the samples of idx and returns the
// captions (encoded) and the image row of each.
func loadBatch(m *Model, ds Dataset, idx []int, images []float32) (rows []int, caps [][]int, samples []Sample, err error) {
	pix := 3 * m.Cfg.Side * m.Cfg.Side
	for i, k := range idx {
		s, err := ds.Sample(k)
		if err != nil {
			return nil, nil, nil, err
		}
		if len(s.Image) != pix {
			return nil, nil, nil, fmt.Errorf("image %d: %d values, the model takes %d", k, len(s.Image), pix)
		}
		copy(images[i*pix:], s.Image)
		for _, r := range s.Refs {
			rows = append(rows, i)
			caps = append(caps, m.Vocab.Encode(r))
		}
		samples = append(samples, s)
	}
	return rows, caps, samples, nil
}

// wordBoxes lists, in loadBatch's caption order, the box each reference
// word names (data.Scene.WordBoxes).
func wordBoxes(samples []Sample) ([][]data.Box, error) {
	var boxes [][]data.Box
	for _, s := range samples {
		if s.Scene == nil {
			return nil, errors.New("attention supervision needs the built-in scenes' word boxes")
		}
		boxes = append(boxes, s.Scene.WordBoxes...)
	}
	return boxes, nil
}

// encodeImages runs the encoder on n images; a frozen encoder runs without
// recording, so no gradient or backward work reaches it.
func (m *Model) encodeImages(tp *autograd.Tape, images []float32, n int) *autograd.Var {
	S := m.Cfg.Side
	x := tp.Const(tp.View(images[:n*3*S*S], n, 3, S, S))
	if m.Cfg.Encoder == EncoderFrozen && tp.Recording() {
		tp.SetRecording(false)
		defer tp.SetRecording(true)
	}
	return m.Encode(tp, x)
}

func (t *trainer) Step(tp *autograd.Tape, _, bi int) (*autograd.Var, int, error) {
	B := t.batch()
	idx := t.order[bi*B : (bi+1)*B]
	rows, caps, samples, err := loadBatch(t.m, t.train, idx, t.images)
	if err != nil {
		return nil, 0, err
	}
	lopt := LossOptions{RNG: t.rng, Baseline: &t.baseline}
	if t.m.Cfg.Supervision > 0 {
		if lopt.Boxes, err = wordBoxes(samples); err != nil {
			return nil, 0, err
		}
	}
	ann := t.m.encodeImages(tp, t.images, B)
	r, err := t.m.Loss(tp, ann, rows, caps, lopt)
	if err != nil {
		return nil, 0, err
	}
	t.nll += r.NLL
	t.words += r.Words
	return r.Loss, r.Captions, nil
}

// TrainMetric is the NLL per word of the epoch's training captions so
// far (with dropout and, for hard attention, sampled locations).
func (t *trainer) TrainMetric() trainrun.Metric {
	return nllMetric(t.nll / float64(max(t.words, 1)))
}

func (t *trainer) Validate(int) (trainrun.Metric, error) {
	t.m.Train(false)
	nll, err := t.m.NLL(t.val, t.opt.Batch, t.opt.Threads)
	return nllMetric(nll), err
}

func nllMetric(v float64) trainrun.Metric {
	return trainrun.Metric{Name: "nll", Value: v, Digits: 4}
}

func (t *trainer) File() (*ckpt.File, error) { return t.m.File() }

// baselineKey is the state file's metadata entry for hard attention's
// baseline.
const baselineKey = "train.baseline"

// SaveTrainerState stores hard attention's moving-average baseline: a
// resumed run that restarted it at its first batch's mean would not
// continue with the same bits.
func (t *trainer) SaveTrainerState(f *ckpt.File) error {
	if t.m.Cfg.Attention == AttnHard {
		f.Metadata[baselineKey] = strconv.FormatFloat(t.baseline, 'g', -1, 64)
	}
	return nil
}

// LoadTrainerState restores the baseline; a state file without one (an
// older file) leaves it to start afresh.
func (t *trainer) LoadTrainerState(f *ckpt.File) error {
	raw, ok := f.Metadata[baselineKey]
	if !ok || t.m.Cfg.Attention != AttnHard {
		return nil
	}
	b, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return fmt.Errorf("hard attention baseline %q: %w", raw, err)
	}
	t.baseline = b
	return nil
}

// LoadWeights copies the weights of a state file written by a run of the
// same configuration and vocabulary.
func (t *trainer) LoadWeights(f *ckpt.File) error { return t.m.loadFrom(f) }

func (m *Model) loadFrom(f *ckpt.File) error {
	saved, err := FromFile(f)
	if err != nil {
		return err
	}
	if !saved.Cfg.Equal(m.Cfg) {
		return fmt.Errorf("%s holds a model of %+v, not %+v", f.Name, saved.Cfg, m.Cfg)
	}
	if strings.Join(saved.Vocab.Words, " ") != strings.Join(m.Vocab.Words, " ") {
		return fmt.Errorf("%s was trained with another vocabulary", f.Name)
	}
	return nn.CopyParams(m, saved)
}

// NLL returns the teacher-forced negative log-likelihood per word
// (<end> included) of every reference of ds, in evaluation mode (no
// dropout, the expected context), with batches of batch images spread
// over threads goroutines; the result does not depend on their number.
func (m *Model) NLL(ds Dataset, batch, threads int) (float64, error) {
	batch = max(batch, 1)
	n := ds.Len()
	nb := (n + batch - 1) / batch
	nlls, words := make([]float64, nb), make([]int, nb)
	var mu sync.Mutex
	var firstErr error
	type worker struct {
		tp     *autograd.Tape
		images []float32
	}
	setup := func() *worker {
		return &worker{tp: autograd.NewInference(), images: make([]float32, batch*3*m.Cfg.Side*m.Cfg.Side)}
	}
	trainrun.ForBatches(n, batch, threads, setup, func(w *worker, b, lo, hi int) {
		defer w.tp.Reset()
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		rows, caps, _, err := loadBatch(m, ds, idx, w.images)
		var r LossResult
		if err == nil {
			r, err = m.Loss(w.tp, m.encodeImages(w.tp, w.images, hi-lo), rows, caps, LossOptions{})
		}
		if err != nil {
			mu.Lock()
			firstErr = errors.Join(firstErr, err)
			mu.Unlock()
			return
		}
		nlls[b], words[b] = r.NLL, r.Words
	})
	if firstErr != nil {
		return math.NaN(), firstErr
	}
	total, count := 0.0, 0
	for b := range nlls { // in batch order: the same sum at any thread count
		total += nlls[b]
		count += words[b]
	}
	return total / float64(max(count, 1)), nil
}

// permutation returns the order of n items in an epoch, drawn from seed.
func permutation(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
}

// initFrom copies the weights of the model file at path into m; the two
// configurations must agree on everything but the training-time knobs (penalty and
// supervision weights, dropout, caption length).
func initFrom(m *Model, path string) error {
	src, err := Load(path)
	if err != nil {
		return err
	}
	a, b := src.Cfg, m.Cfg
	a.Lambda, a.Supervision, a.Dropout, a.MaxLen = b.Lambda, b.Supervision, b.Dropout, b.MaxLen
	if !a.Equal(b) {
		return fmt.Errorf("%s has config %+v, the run wants %+v", path, src.Cfg, m.Cfg)
	}
	return nn.CopyParams(m, src)
}
