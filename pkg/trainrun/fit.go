package trainrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/optim"
)

// Trainer is what a model supplies to Fit.
type Trainer interface {
	// Params returns the trainable parameters, in a fixed order (the
	// order gradient clipping sums their norms in).
	Params() []*autograd.Var
	// BeginEpoch prepares epoch (1-based): new data order, augmentation,
	// training mode. It returns the number of batches the epoch has.
	BeginEpoch(epoch int) (batches int, err error)
	// Step builds the loss of batch (0-based) of the epoch on tp, which
	// records, and returns it (a scalar) with the number of samples it
	// averages over. Running statistics (a training metric) are the
	// trainer's to keep. Fit runs the backward pass and the update.
	Step(tp *autograd.Tape, epoch, batch int) (loss *autograd.Var, samples int, err error)
	// Validate scores the model after an epoch; the best model is the one
	// with the best metric.
	Validate(epoch int) (Metric, error)
	// File returns the model as a checkpoint (the best model's file; the
	// state file adds to it).
	File() (*ckpt.File, error)
	// LoadWeights copies the weights of a state file written by a run of
	// the same model; it refuses a file of another configuration.
	LoadWeights(f *ckpt.File) error
}

// TrainMetric is implemented by a trainer that keeps a training metric
// over the batches of the current epoch (a classifier's error on the
// training batches); Fit shows it on the progress bar and reports it at
// the end of the epoch.
type TrainMetric interface {
	TrainMetric() Metric
}

// StateKeeper is implemented by a trainer that carries state of its own
// from batch to batch beyond its weights (a moving-average baseline):
// Fit stores it in the state file after every epoch and gives it back on
// resume, so a resumed run continues with the same bits as an
// uninterrupted one. LoadTrainerState must accept a state file that has
// none (written before the trainer kept any) and leave the state fresh.
type StateKeeper interface {
	SaveTrainerState(f *ckpt.File) error
	LoadTrainerState(f *ckpt.File) error
}

// Fit trains t for opts.Epochs epochs (from the state file's epoch on
// when opts.Resume is set) and returns the final state. Every batch runs,
// in this order: the optimizer's ZeroGrad, t.Step, a check that the loss
// is finite, the backward pass, the tape's Reset, gradient clipping and
// the optimizer's Step. After every epoch it validates, writes the model
// to opts.Out when the metric improves on the best so far, steps the
// schedules, writes the state file StatePath(opts.Out) and reports the
// epoch through rep. When opts.Context ends before a batch, Fit stops
// there and returns a *cliutil.Interrupted; the state file keeps the last
// finished epoch (see Options.Context).
func Fit(t Trainer, opts Options, rep Report) (State, error) {
	if err := opts.Validate(); err != nil {
		return State{}, err
	}
	// The optimizer holds these Vars for the whole run (resume copies into
	// them), so clipping can use the same slice instead of asking again
	// every batch.
	params := t.Params()
	o, err := NewOptimizer(params, opts)
	if err != nil {
		return State{}, err
	}
	sched, err := NewSchedule(o, opts)
	if err != nil {
		return State{}, err
	}
	record := opts.Record
	if record == nil {
		record = opts
	}
	r := &run{t: t, opts: opts, opt: o, sched: sched, state: State{Options: record}}
	if opts.Resume {
		if err := r.resume(); err != nil {
			return r.state, err
		}
	}
	var lines *cliutil.Printer
	if rep.Lines != nil {
		lines = cliutil.NewPrinter(rep.Lines, rep.JSON)
	}
	tm, hasTrainMetric := t.(TrainMetric)
	// The training step gets every thread: its large products split over
	// them (gemm keeps small ones on one), and so do its convolutions,
	// elementwise ops and batch norms (the tape's threads). Validation
	// spreads its batches over the threads instead, each product on one.
	defer gemm.SetThreads(gemm.Threads())
	tp := autograd.NewTape()
	tp.SetThreads(opts.Threads)
	for epoch := r.state.Epoch + 1; epoch <= opts.Epochs; epoch++ {
		if err := r.stopped(); err != nil {
			return r.state, err
		}
		start := time.Now()
		nb, err := t.BeginEpoch(epoch)
		if err != nil {
			return r.state, fmt.Errorf("epoch %d: %w", epoch, err)
		}
		gemm.SetThreads(opts.Threads)
		bar := cliutil.NewProgress(rep.Bar, rep.Bar != nil, nb, fmt.Sprintf("%sepoch %d", rep.Label, epoch))
		var sum float64
		n := 0
		for bi := 0; bi < nb; bi++ {
			if err := r.stopped(); err != nil {
				bar.Clear()
				return r.state, err
			}
			o.ZeroGrad()
			loss, k, err := t.Step(tp, epoch, bi)
			if err != nil {
				tp.Reset()
				return r.state, fmt.Errorf("epoch %d batch %d: %w", epoch, bi+1, err)
			}
			l := float64(loss.Value.Data[0])
			if math.IsNaN(l) || math.IsInf(l, 0) {
				tp.Reset()
				return r.state, fmt.Errorf("epoch %d batch %d: the loss diverged (%g); lower the learning rate or clip the gradients", epoch, bi+1, l)
			}
			tp.Backward(loss)
			tp.Reset()
			if opts.ClipNorm > 0 {
				optim.ClipGradNorm(params, opts.ClipNorm)
			}
			o.Step()
			sum += l * float64(k)
			n += k
			if rep.Bar != nil {
				desc := fmt.Sprintf("%sepoch %d loss %.3f", rep.Label, epoch, sum/float64(n))
				if hasTrainMetric {
					desc += " " + tm.TrainMetric().String()
				}
				bar.Describe(desc)
			}
			bar.Add(1)
		}
		gemm.SetThreads(1)
		val, err := t.Validate(epoch)
		if err != nil {
			return r.state, fmt.Errorf("epoch %d: validation: %w", epoch, err)
		}
		er := EpochReport{Epoch: epoch, LR: o.LR(), Loss: sum / float64(max(n, 1)), Val: val, Samples: n}
		if hasTrainMetric {
			er.Train = tm.TrainMetric()
		}
		er.Seconds = time.Since(start).Seconds()
		if err := r.endEpoch(&er); err != nil {
			return r.state, err
		}
		bar.Finish("")
		if lines != nil {
			if err := lines.Print(er.fields(true, false)...); err != nil {
				return r.state, err
			}
		}
		if rep.OnEpoch != nil {
			rep.OnEpoch(er)
		}
	}
	return r.state, nil
}

// run is one call of Fit's bookkeeping.
type run struct {
	t       Trainer
	opts    Options
	opt     optim.Optimizer
	sched   optim.Scheduler          // stepped once per epoch; nil for none and plateau
	plateau *optim.ReduceLROnPlateau // stepped on the validation metric; made at the first epoch's end
	state   State
}

// stopped returns nil until opts.Context is done, then the error that
// ends the run, saying how far the state file goes.
func (r *run) stopped() error {
	ctx := r.opts.Context
	if ctx == nil {
		return nil
	}
	done := r.state.Epoch
	if done == 0 {
		return cliutil.Stopped(ctx, "0 of %d epochs done", r.opts.Epochs)
	}
	return cliutil.Stopped(ctx, "%d of %d epochs done; --resume continues with epoch %d", done, r.opts.Epochs, done+1)
}

// endEpoch closes an epoch whose report has everything but the best
// figures: it writes the best model when the metric improves, fills in
// Best and BestEpoch, steps the schedules, appends the report to the
// history and writes the state file.
func (r *run) endEpoch(rep *EpochReport) error {
	st := &r.state
	if st.Best.Name == "" {
		st.Best = Metric{Name: rep.Val.Name, HigherBetter: rep.Val.HigherBetter, Value: math.NaN()}
	}
	if rep.Val.Name != st.Best.Name || rep.Val.HigherBetter != st.Best.HigherBetter {
		return fmt.Errorf("epoch %d: validation metric %s (higher better: %t), but the run ranks by %s (higher better: %t)",
			rep.Epoch, rep.Val.Name, rep.Val.HigherBetter, st.Best.Name, st.Best.HigherBetter)
	}
	st.Best.Digits = rep.Val.Digits
	if st.BestEpoch == 0 && !math.IsNaN(rep.Val.Value) || st.BestEpoch > 0 && rep.Val.Better(st.Best) {
		st.Best.Value, st.BestEpoch = rep.Val.Value, rep.Epoch
		rep.Best, rep.BestEpoch = st.Best, st.BestEpoch
		if err := r.saveBest(*rep); err != nil {
			return err
		}
	}
	rep.Best, rep.BestEpoch = st.Best, st.BestEpoch
	if r.sched != nil {
		r.sched.Step()
	}
	if r.opts.Schedule == "plateau" {
		if r.plateau == nil {
			p, err := newPlateau(r.opt, r.opts, rep.Val.HigherBetter)
			if err != nil {
				return err
			}
			r.plateau = p
		}
		if (r.plateau.Mode == "max") != rep.Val.HigherBetter {
			return fmt.Errorf("epoch %d: the plateau schedule is in %s mode, but %s is %s", rep.Epoch, r.plateau.Mode, rep.Val.Name, direction(rep.Val.HigherBetter))
		}
		r.plateau.Step(rep.Val.Value)
	}
	st.Epoch = rep.Epoch
	st.History = append(st.History, *rep)
	return r.saveState()
}

func direction(higherBetter bool) string {
	if higherBetter {
		return "higher-is-better"
	}
	return "lower-is-better"
}

// saveBest writes the model alone (what the tools' eval and predict load),
// with the report of the epoch that made it the best as "val" metadata.
func (r *run) saveBest(rep EpochReport) error {
	f, err := r.t.File()
	if err != nil {
		return err
	}
	if err := ckpt.PutJSON(f.Metadata, "val", rep); err != nil {
		return err
	}
	return ckpt.WriteFile(r.opts.Out, f)
}

// saveState writes the weights, the optimizer and the bookkeeping.
func (r *run) saveState() error {
	f, err := r.t.File()
	if err != nil {
		return err
	}
	if err := r.opt.SaveState(f); err != nil {
		return err
	}
	if k, ok := r.t.(StateKeeper); ok {
		if err := k.SaveTrainerState(f); err != nil {
			return err
		}
	}
	st := r.state
	st.Schedule, st.Plateau = nil, nil
	if r.sched != nil {
		if st.Schedule, err = json.Marshal(r.sched); err != nil {
			return err
		}
	}
	if r.plateau != nil {
		if st.Plateau, err = json.Marshal(r.plateau); err != nil {
			return err
		}
	}
	if err := ckpt.PutJSON(f.Metadata, "train", st); err != nil {
		return err
	}
	return ckpt.WriteFile(StatePath(r.opts.Out), f)
}

// resume continues from the state file beside Out: the trainer checks
// that the saved model is the one being trained and copies its weights;
// then the optimizer, the bookkeeping and the schedules are restored. A
// run may ask for another epoch count than it started with: a cosine
// schedule is re-aimed at it (optim.Retarget).
func (r *run) resume() error {
	path := StatePath(r.opts.Out)
	f, err := ckpt.Read(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &OptionError{Option: "Resume", Err: fmt.Errorf("no state file %s to resume from (no earlier run wrote to %s)", path, r.opts.Out)}
		}
		return err
	}
	if err := r.t.LoadWeights(f); err != nil {
		return &OptionError{Option: "Resume", Err: err}
	}
	if err := r.opt.LoadState(f); err != nil {
		return err
	}
	if k, ok := r.t.(StateKeeper); ok {
		if err := k.LoadTrainerState(f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	opts := r.state.Options
	if err := ckpt.GetJSON(f.Metadata, "train", &r.state); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// The options of this invocation win; the saved ones were a record.
	r.state.Options = opts
	st := &r.state
	if r.sched != nil && len(st.Schedule) > 0 {
		if err := json.Unmarshal(st.Schedule, r.sched); err != nil {
			return fmt.Errorf("%s: schedule: %w", path, err)
		}
	}
	if _, err := optim.Retarget(r.sched, r.opts.Epochs); err != nil {
		return &OptionError{Option: "Epochs", Err: fmt.Errorf("resume for %d epochs: %w", r.opts.Epochs, err)}
	}
	if r.opts.Schedule == "plateau" && len(st.Plateau) > 0 {
		// The saved state has the whole configuration (its mode included);
		// the fresh schedule supplies the optimizer binding.
		p, err := newPlateau(r.opt, r.opts, st.Best.HigherBetter)
		if err == nil {
			err = json.Unmarshal(st.Plateau, p)
		}
		if err != nil {
			return fmt.Errorf("%s: plateau: %w", path, err)
		}
		r.plateau = p
	}
	return nil
}
