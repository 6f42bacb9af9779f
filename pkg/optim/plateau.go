package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// PlateauConfig holds the settings of ReduceLROnPlateau; DefaultPlateau
// gives torch's defaults.
type PlateauConfig struct {
	Mode          string  `json:"mode"`           // "min" (a loss) or "max" (an accuracy)
	Factor        float64 `json:"factor"`         // new rate = rate·Factor
	Patience      int     `json:"patience"`       // bad epochs tolerated before reducing
	Threshold     float64 `json:"threshold"`      // minimum significant improvement
	ThresholdMode string  `json:"threshold_mode"` // "rel" or "abs"
	Cooldown      int     `json:"cooldown"`       // epochs to wait after a reduction
	MinLR         float64 `json:"min_lr"`
	Eps           float64 `json:"eps"` // reductions smaller than this are skipped
}

// DefaultPlateau returns torch's defaults: mode min, factor 0.1, patience
// 10, threshold 1e-4 relative, no cooldown, min_lr 0, eps 1e-8.
func DefaultPlateau() PlateauConfig {
	return PlateauConfig{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
}

// ReduceLROnPlateau lowers the learning rate when a metric stops
// improving, as torch.optim.lr_scheduler.ReduceLROnPlateau does. It is not
// a Scheduler because each step needs the epoch's metric. Its exported
// fields are its whole state, for ckpt.PutJSON / GetJSON.
type ReduceLROnPlateau struct {
	PlateauConfig
	Best            float64 `json:"best"`
	NumBadEpochs    int     `json:"num_bad_epochs"`
	CooldownCounter int     `json:"cooldown_counter"`
	LastEpoch       int     `json:"last_epoch"`
	opt             Optimizer
}

// NewReduceLROnPlateau returns a plateau schedule driving opt.
func NewReduceLROnPlateau(opt Optimizer, cfg PlateauConfig) (*ReduceLROnPlateau, error) {
	if cfg.Factor >= 1 || cfg.Factor < 0 {
		return nil, fmt.Errorf("optim: plateau factor %g outside [0, 1)", cfg.Factor)
	}
	if cfg.Mode != "min" && cfg.Mode != "max" {
		return nil, fmt.Errorf("optim: plateau mode %q, want min or max", cfg.Mode)
	}
	if cfg.ThresholdMode != "rel" && cfg.ThresholdMode != "abs" {
		return nil, fmt.Errorf("optim: plateau threshold mode %q, want rel or abs", cfg.ThresholdMode)
	}
	if cfg.Patience < 0 || cfg.Cooldown < 0 {
		return nil, fmt.Errorf("optim: plateau patience %d and cooldown %d must be >= 0", cfg.Patience, cfg.Cooldown)
	}
	best := math.Inf(1)
	if cfg.Mode == "max" {
		best = math.Inf(-1)
	}
	return &ReduceLROnPlateau{PlateauConfig: cfg, Best: best, opt: opt}, nil
}

// isBetter reports whether metric a improves on the best so far by more
// than the threshold.
func (s *ReduceLROnPlateau) isBetter(a float64) bool {
	switch {
	case s.Mode == "min" && s.ThresholdMode == "rel":
		return a < s.Best*(1-s.Threshold)
	case s.Mode == "min":
		return a < s.Best-s.Threshold
	case s.ThresholdMode == "rel":
		return a > s.Best*(s.Threshold+1)
	}
	return a > s.Best+s.Threshold
}

// Step records one epoch's metric and reduces the rate after more than
// Patience epochs without improvement. It reports whether it reduced.
func (s *ReduceLROnPlateau) Step(metric float64) bool {
	s.LastEpoch++
	if s.isBetter(metric) {
		s.Best = metric
		s.NumBadEpochs = 0
	} else {
		s.NumBadEpochs++
	}
	if s.CooldownCounter > 0 {
		s.CooldownCounter--
		s.NumBadEpochs = 0 // bad epochs during cooldown do not count
	}
	if s.NumBadEpochs <= s.Patience {
		return false
	}
	s.CooldownCounter = s.Cooldown
	s.NumBadEpochs = 0
	old := s.opt.LR()
	lr := math.Max(old*s.Factor, s.MinLR)
	if old-lr > s.Eps {
		s.opt.SetLR(lr)
		return true
	}
	return false
}

// LR returns the optimizer's current learning rate.
func (s *ReduceLROnPlateau) LR() float64 { return s.opt.LR() }

// plateauJSON is ReduceLROnPlateau's JSON form: Best is a string because
// it starts at ±Inf, which JSON numbers cannot hold.
type plateauJSON struct {
	PlateauConfig
	Best            string `json:"best"`
	NumBadEpochs    int    `json:"num_bad_epochs"`
	CooldownCounter int    `json:"cooldown_counter"`
	LastEpoch       int    `json:"last_epoch"`
}

// MarshalJSON encodes the schedule's state.
func (s *ReduceLROnPlateau) MarshalJSON() ([]byte, error) {
	return json.Marshal(plateauJSON{s.PlateauConfig, strconv.FormatFloat(s.Best, 'g', -1, 64), s.NumBadEpochs, s.CooldownCounter, s.LastEpoch})
}

// UnmarshalJSON restores the state written by MarshalJSON, keeping the
// optimizer the schedule was created with.
func (s *ReduceLROnPlateau) UnmarshalJSON(b []byte) error {
	var j plateauJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	best, err := strconv.ParseFloat(j.Best, 64)
	if err != nil {
		return fmt.Errorf("plateau best: %w", err)
	}
	s.PlateauConfig, s.Best, s.NumBadEpochs, s.CooldownCounter, s.LastEpoch = j.PlateauConfig, best, j.NumBadEpochs, j.CooldownCounter, j.LastEpoch
	return nil
}
