package optim

import (
	"fmt"
	"math"
)

// Scheduler changes an optimizer's learning rate once per epoch or step.
// Each scheduler keeps its own learning-rate state (as torch's chainable
// schedulers keep it in the param group) and writes it to the optimizer;
// its exported fields are that state, so ckpt.PutJSON / ckpt.GetJSON save
// and restore a schedule in a checkpoint's metadata.
type Scheduler interface {
	// Step advances the schedule by one and sets the optimizer's rate.
	Step()
	// LR returns the rate the schedule last set.
	LR() float64
}

// StepLR multiplies the learning rate by Gamma every StepSize steps, as
// torch.optim.lr_scheduler.StepLR does (chainable form, so the rate after
// k decays is lr·γ·γ·… with the same float64 roundings as torch).
type StepLR struct {
	StepSize  int     `json:"step_size"`
	Gamma     float64 `json:"gamma"`
	LastEpoch int     `json:"last_epoch"`
	Rate      float64 `json:"lr"`
	opt       Optimizer
}

// NewStepLR returns a StepLR starting from opt's current learning rate.
func NewStepLR(opt Optimizer, stepSize int, gamma float64) (*StepLR, error) {
	if stepSize <= 0 {
		return nil, fmt.Errorf("optim: StepLR step size %d <= 0", stepSize)
	}
	return &StepLR{StepSize: stepSize, Gamma: gamma, Rate: opt.LR(), opt: opt}, nil
}

// Step advances one epoch.
func (s *StepLR) Step() {
	s.LastEpoch++
	if s.LastEpoch%s.StepSize == 0 {
		s.Rate *= s.Gamma
	}
	s.opt.SetLR(s.Rate)
}

// LR returns the current learning rate.
func (s *StepLR) LR() float64 { return s.Rate }

// CosineAnnealing decays the learning rate from its initial value to
// EtaMin along half a cosine over TMax steps, as
// torch.optim.lr_scheduler.CosineAnnealingLR computes it (the recursive
// form, which after TMax climbs back up rather than restarting). With
// warm restarts (NewCosineWarmRestarts) it follows
// CosineAnnealingWarmRestarts instead: the cosine restarts from the base
// rate after T0 steps, then after T0·TMult, and so on.
type CosineAnnealing struct {
	BaseLR    float64 `json:"base_lr"`
	EtaMin    float64 `json:"eta_min"`
	TMax      int     `json:"t_max"`
	LastEpoch int     `json:"last_epoch"`
	// Offset is the step at which the current half cosine started: 0, or
	// where Retarget began a second cycle after the first had ended.
	Offset int     `json:"offset,omitempty"`
	Rate   float64 `json:"lr"`
	// Warm-restart state: Restarts is true for CosineAnnealingWarmRestarts;
	// TCur counts steps since the last restart in a period of TI steps.
	Restarts bool `json:"restarts"`
	TMult    int  `json:"t_mult"`
	TCur     int  `json:"t_cur"`
	TI       int  `json:"t_i"`
	opt      Optimizer
}

// NewCosineAnnealing returns a CosineAnnealingLR schedule over tMax steps.
func NewCosineAnnealing(opt Optimizer, tMax int, etaMin float64) (*CosineAnnealing, error) {
	if tMax <= 0 {
		return nil, fmt.Errorf("optim: cosine annealing T_max %d <= 0", tMax)
	}
	return &CosineAnnealing{BaseLR: opt.LR(), EtaMin: etaMin, TMax: tMax, Rate: opt.LR(), opt: opt}, nil
}

// NewCosineWarmRestarts returns a CosineAnnealingWarmRestarts schedule:
// the first period is t0 steps, each next one tMult times longer.
func NewCosineWarmRestarts(opt Optimizer, t0, tMult int, etaMin float64) (*CosineAnnealing, error) {
	if t0 <= 0 || tMult < 1 {
		return nil, fmt.Errorf("optim: warm restarts need T_0 > 0 and T_mult >= 1, have %d and %d", t0, tMult)
	}
	return &CosineAnnealing{BaseLR: opt.LR(), EtaMin: etaMin, TMax: t0, Rate: opt.LR(), opt: opt,
		Restarts: true, TMult: tMult, TI: t0}, nil
}

// Step advances one step.
func (s *CosineAnnealing) Step() {
	s.LastEpoch++
	if s.Restarts {
		s.TCur++
		if s.TCur >= s.TI {
			s.TCur -= s.TI
			s.TI *= s.TMult
		}
		s.Rate = s.EtaMin + (s.BaseLR-s.EtaMin)*(1+math.Cos(math.Pi*float64(s.TCur)/float64(s.TI)))/2
		s.opt.SetLR(s.Rate)
		return
	}
	e, t := float64(s.LastEpoch-s.Offset), float64(s.TMax-s.Offset)
	if (s.LastEpoch-1-s.TMax)%(2*(s.TMax-s.Offset)) == 0 {
		s.Rate += (s.BaseLR - s.EtaMin) * (1 - math.Cos(math.Pi/t)) / 2
	} else {
		s.Rate = (1+math.Cos(math.Pi*e/t))/(1+math.Cos(math.Pi*(e-1)/t))*(s.Rate-s.EtaMin) + s.EtaMin
	}
	s.opt.SetLR(s.Rate)
}

// LR returns the current learning rate.
func (s *CosineAnnealing) LR() float64 { return s.Rate }

// LinearWarmup ramps the learning rate linearly for Warmup steps before
// handing over to another schedule, as torch's SequentialLR of a LinearLR
// and the inner schedule does. During warm-up step k (k = 0 at creation)
// the rate is the inner schedule's rate times StartFactor +
// (1-StartFactor)·k/Warmup; the inner schedule starts stepping after that.
type LinearWarmup struct {
	Warmup      int       `json:"warmup"`
	StartFactor float64   `json:"start_factor"`
	Count       int       `json:"count"`
	Inner       Scheduler `json:"inner"`
	BaseLR      float64   `json:"base_lr"` // the rate after warm-up when Inner is nil
	Rate        float64   `json:"lr"`
	opt         Optimizer
}

// NewLinearWarmup wraps inner (already created on opt) with a linear
// warm-up of warmup steps starting at startFactor times the rate; it sets
// the optimizer's rate for step 0 at once. inner may be nil for a constant
// rate after warm-up.
func NewLinearWarmup(opt Optimizer, inner Scheduler, warmup int, startFactor float64) (*LinearWarmup, error) {
	if warmup < 0 || startFactor <= 0 || startFactor > 1 {
		return nil, fmt.Errorf("optim: warm-up needs steps >= 0 and 0 < start factor <= 1, have %d and %g", warmup, startFactor)
	}
	w := &LinearWarmup{Warmup: warmup, StartFactor: startFactor, Inner: inner, opt: opt, Rate: opt.LR()}
	if inner != nil {
		w.Rate = inner.LR()
	}
	w.BaseLR = w.Rate
	w.apply()
	return w, nil
}

// Step advances one step.
func (w *LinearWarmup) Step() {
	if w.Count >= w.Warmup && w.Inner != nil {
		w.Inner.Step()
	}
	w.Count++
	w.apply()
}

// apply sets the optimizer's rate for the current count.
func (w *LinearWarmup) apply() {
	base := w.BaseLR
	if w.Inner != nil {
		base = w.Inner.LR()
	}
	w.Rate = base
	if w.Count < w.Warmup {
		w.Rate = base * (w.StartFactor + (1-w.StartFactor)*float64(w.Count)/float64(w.Warmup))
	}
	w.opt.SetLR(w.Rate)
}

// LR returns the current learning rate.
func (w *LinearWarmup) LR() float64 { return w.Rate }

// Retarget makes a non-restarting cosine end at step tMax instead of TMax.
// A run resumed with a different epoch count wants this: it still anneals
// to EtaMin at its last epoch, rather than climbing back up after the old
// TMax or stopping half-way down. Before the old end, the cosine continues
// from the current rate (the recursive form then decays it in proportion
// to 1+cos(π·e/tMax)); once it has ended, a second half cosine starts from
// the base rate and runs from the current step to tMax (a warm restart, as
// in SGDR). tMax must lie beyond the steps already taken.
func (s *CosineAnnealing) Retarget(tMax int) error {
	if s.Restarts {
		return fmt.Errorf("optim: cannot retarget a cosine with warm restarts")
	}
	if tMax <= s.LastEpoch {
		return fmt.Errorf("optim: cannot retarget the cosine to end at step %d: %d steps already taken", tMax, s.LastEpoch)
	}
	if s.LastEpoch >= s.TMax {
		s.Offset, s.Rate = s.LastEpoch, s.BaseLR
		s.opt.SetLR(s.Rate)
	}
	s.TMax = tMax
	return nil
}

// Retarget changes the length of s's annealing to steps in all (warm-up
// included) when s is, or wraps, a plain cosine; for other schedules it
// does nothing and reports false.
func Retarget(s Scheduler, steps int) (bool, error) {
	switch s := s.(type) {
	case *CosineAnnealing:
		if s.TMax == steps {
			return true, nil
		}
		return true, s.Retarget(steps)
	case *LinearWarmup:
		if s.Inner == nil {
			return false, nil
		}
		return Retarget(s.Inner, max(steps-s.Warmup, 1))
	}
	return false, nil
}
