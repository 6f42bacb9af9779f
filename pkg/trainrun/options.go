package trainrun

import (
	"context"
	"fmt"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/optim"
)

// Options are the settings every training run has. They hold no
// defaults: each model package fills in its own (its paper's schedule)
// before calling Fit, which checks them with Validate.
type Options struct {
	Epochs      int     // epochs to reach (a resumed run continues up to it)
	Batch       int     // samples per step
	Optimizer   string  // adam or sgd (with momentum)
	LR          float64 // initial learning rate
	Momentum    float64 // sgd momentum
	WeightDecay float64 // L2 penalty added to the gradients (0: none)
	Schedule    string  // cosine, step, plateau or none
	StepSize    int     // step: epochs between decays
	Gamma       float64 // step and plateau: decay factor
	Warmup      int     // cosine and step: epochs of linear warm-up from a tenth of the rate
	Patience    int     // plateau: epochs without improvement before the rate drops
	ClipNorm    float64 // clip gradients to this global norm; 0 = off
	Seed        uint64  // the model's random choices (Fit itself draws nothing)
	Threads     int     // goroutines the model may use: the training step's GEMM and tape (autograd.Tape.SetThreads), and validation
	Out         string  // best model path; the per-epoch state goes to StatePath(Out)
	Resume      bool    // continue from the state file beside Out
	// Context, when not nil, can stop the run early: once it is done,
	// Fit finishes the batch in hand, drops the rest of that epoch and
	// returns what cliutil.Stopped makes. The state file then holds the
	// last finished epoch (it is written at every epoch's end), and that
	// is the point a resumed run continues from exactly: it repeats the
	// dropped epoch from its start, with the data order and the random
	// draws the epoch's number and the seed give, so an interrupted and
	// resumed run ends with the same bits as an uninterrupted one. (A
	// state saved in mid-epoch would need every trainer's random state
	// and running figures too, for at most one epoch of work.)
	Context context.Context `json:"-"`
	// Record is stored in the state file as the record of how the run was
	// started (the model's whole options); Options itself when nil.
	Record any `json:"-"`
}

// OptionError reports an option that cannot be used. Option is the name
// of the Options field (or of a model's own option) it is about, so a
// command can name the flag that set it.
type OptionError struct {
	Option string
	Err    error
}

// Error returns the problem.
func (e *OptionError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *OptionError) Unwrap() error { return e.Err }

// optionErr returns an *OptionError for option with a formatted message.
func optionErr(option, format string, args ...any) error {
	return &OptionError{Option: option, Err: fmt.Errorf(format, args...)}
}

// Validate reports the first option that cannot be used, as an
// *OptionError.
func (o Options) Validate() error {
	switch {
	case o.Epochs < 1:
		return optionErr("Epochs", "epochs %d: want at least 1", o.Epochs)
	case o.Batch < 1:
		return optionErr("Batch", "batch size %d: want at least 1", o.Batch)
	case o.Optimizer != "adam" && o.Optimizer != "sgd":
		return optionErr("Optimizer", "optimizer %q: want adam or sgd", o.Optimizer)
	case !(o.LR > 0):
		return optionErr("LR", "learning rate %g: want a positive rate", o.LR)
	case o.Momentum < 0 || o.Momentum >= 1:
		return optionErr("Momentum", "momentum %g: want 0 ≤ momentum < 1", o.Momentum)
	case o.WeightDecay < 0:
		return optionErr("WeightDecay", "weight decay %g: want 0 or more", o.WeightDecay)
	case o.Schedule != "cosine" && o.Schedule != "step" && o.Schedule != "plateau" && o.Schedule != "none":
		return optionErr("Schedule", "schedule %q: want cosine, step, plateau or none", o.Schedule)
	case o.Schedule == "step" && o.StepSize < 1:
		return optionErr("StepSize", "step size %d: want at least 1 epoch", o.StepSize)
	case o.Schedule == "step" && !(o.Gamma > 0 && o.Gamma <= 1):
		return optionErr("Gamma", "decay factor %g: want 0 < gamma ≤ 1", o.Gamma)
	case o.Schedule == "plateau" && !(o.Gamma > 0 && o.Gamma < 1):
		return optionErr("Gamma", "plateau decay factor %g: want 0 < gamma < 1", o.Gamma)
	case o.Patience < 0:
		return optionErr("Patience", "plateau patience %d: want 0 or more", o.Patience)
	case o.Warmup < 0:
		return optionErr("Warmup", "warm-up %d: want 0 or more epochs", o.Warmup)
	case o.ClipNorm < 0:
		return optionErr("ClipNorm", "gradient clipping norm %g: want 0 (off) or more", o.ClipNorm)
	case o.Threads < 1:
		return optionErr("Threads", "threads %d: want at least 1", o.Threads)
	case o.Out == "":
		return optionErr("Out", "no output path for the best model")
	}
	return nil
}

// NewOptimizer returns the optimizer the options name over params: Adam
// (torch's defaults otherwise) or SGD with momentum, both with L2 weight
// decay WeightDecay.
func NewOptimizer(params []*autograd.Var, o Options) (optim.Optimizer, error) {
	switch o.Optimizer {
	case "adam":
		c := optim.DefaultAdam()
		c.LR, c.WeightDecay = o.LR, o.WeightDecay
		return optim.NewAdam(params, c)
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: o.LR, Momentum: o.Momentum, WeightDecay: o.WeightDecay})
	}
	return nil, optionErr("Optimizer", "optimizer %q: want adam or sgd", o.Optimizer)
}

// NewSchedule returns the per-epoch schedule the options name on opt: a
// cosine annealing to 0 over the epochs after the warm-up, or a step
// decay by Gamma every StepSize epochs, either preceded by Warmup epochs
// of linear warm-up from a tenth of the rate. It returns nil for none and
// for plateau, which Fit steps on the validation metric instead (and
// which, like none, takes no warm-up).
func NewSchedule(opt optim.Optimizer, o Options) (optim.Scheduler, error) {
	var inner optim.Scheduler
	var err error
	switch o.Schedule {
	case "cosine":
		inner, err = optim.NewCosineAnnealing(opt, max(o.Epochs-o.Warmup, 1), 0)
	case "step":
		inner, err = optim.NewStepLR(opt, o.StepSize, o.Gamma)
	case "none", "plateau":
	default:
		return nil, optionErr("Schedule", "schedule %q: want cosine, step, plateau or none", o.Schedule)
	}
	if err != nil || o.Warmup == 0 || inner == nil {
		return inner, err
	}
	return optim.NewLinearWarmup(opt, inner, o.Warmup, 0.1)
}

// newPlateau returns the plateau schedule on opt, reducing the rate by
// Gamma after Patience epochs without improvement of a metric whose
// direction higherBetter gives.
func newPlateau(opt optim.Optimizer, o Options, higherBetter bool) (*optim.ReduceLROnPlateau, error) {
	pc := optim.DefaultPlateau()
	pc.Mode, pc.Factor, pc.Patience = "min", o.Gamma, o.Patience
	if higherBetter {
		pc.Mode = "max"
	}
	return optim.NewReduceLROnPlateau(opt, pc)
}
