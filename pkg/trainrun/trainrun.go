// Package trainrun holds the bookkeeping every training command shares:
// the per-epoch report, choosing and writing the best model, and the
// per-epoch state file that --resume continues from. The models' own
// packages keep what differs (data, forward pass, loss); this one keeps
// what must behave the same in every tool.
//
// A state file is the model's own safetensors file plus the optimizer's
// moments (optim.Optimizer.SaveState) and a "train" metadata entry with the
// State below, so a state file also loads as a model.
package trainrun

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/optim"
)

// EpochReport summarises one epoch.
type EpochReport struct {
	Epoch     int     `json:"epoch"`
	LR        float64 `json:"lr"`
	Loss      float64 `json:"loss"`
	TrainErr  float64 `json:"train_error_pct"`
	ValErr    float64 `json:"val_error_pct"`
	BestErr   float64 `json:"best_val_error_pct"`
	BestEpoch int     `json:"best_epoch"`
	Seconds   float64 `json:"seconds"`
	Samples   int     `json:"samples"`
}

// State is what the state file holds besides the weights and the optimizer:
// enough for --resume to continue exactly. O is the tool's options type,
// kept as a record of how the run was started.
type State[O any] struct {
	Epoch     int                      `json:"epoch"` // last finished epoch (1-based)
	BestErr   float64                  `json:"best_val_error_pct"`
	BestEpoch int                      `json:"best_epoch"`
	Options   O                        `json:"options"`
	Schedule  json.RawMessage          `json:"schedule,omitempty"`
	History   []EpochReport            `json:"history"`
	Plateau   *optim.ReduceLROnPlateau `json:"plateau,omitempty"`
}

// StatePath returns the state file beside a run's best-model path.
func StatePath(out string) string {
	return strings.TrimSuffix(out, ".safetensors") + ".state.safetensors"
}

// Model is what a run saves: a model that serialises itself.
type Model interface {
	File() (*ckpt.File, error)
}

// Run is one training run's bookkeeping. Sched and Plateau may be nil.
type Run[O any] struct {
	Out     string // best model path; the state goes to StatePath(Out)
	Model   Model
	Opt     optim.Optimizer
	Sched   optim.Scheduler          // stepped once per epoch
	Plateau *optim.ReduceLROnPlateau // stepped on the validation error
	State   State[O]
}

// New starts the bookkeeping of a fresh run.
func New[O any](out string, m Model, o optim.Optimizer, sched optim.Scheduler, plateau *optim.ReduceLROnPlateau, opts O) *Run[O] {
	return &Run[O]{Out: out, Model: m, Opt: o, Sched: sched, Plateau: plateau,
		State: State[O]{BestErr: 101, Options: opts}}
}

// EndEpoch closes an epoch whose report has Epoch, LR, Loss, TrainErr,
// ValErr and Samples filled in: it writes the best model when ValErr
// improves on the best so far, steps the schedules, sets BestErr and
// BestEpoch, appends the report to the history and writes the state file.
// Seconds is left to the caller (set it before calling to record it).
func (r *Run[O]) EndEpoch(rep *EpochReport) error {
	st := &r.State
	if rep.ValErr < st.BestErr {
		st.BestErr, st.BestEpoch = rep.ValErr, rep.Epoch
		if err := r.saveBest(*rep); err != nil {
			return err
		}
	}
	rep.BestErr, rep.BestEpoch = st.BestErr, st.BestEpoch
	if r.Sched != nil {
		r.Sched.Step()
	}
	if r.Plateau != nil {
		r.Plateau.Step(rep.ValErr)
	}
	st.Epoch = rep.Epoch
	st.History = append(st.History, *rep)
	return r.saveState()
}

// saveBest writes the model alone (what the tools' eval and predict load),
// with the report of the epoch that made it the best as "val" metadata.
func (r *Run[O]) saveBest(rep EpochReport) error {
	f, err := r.Model.File()
	if err != nil {
		return err
	}
	if err := ckpt.PutJSON(f.Metadata, "val", rep); err != nil {
		return err
	}
	return ckpt.WriteFile(r.Out, f)
}

// saveState writes the weights, the optimizer and the bookkeeping.
func (r *Run[O]) saveState() error {
	f, err := r.Model.File()
	if err != nil {
		return err
	}
	if err := r.Opt.SaveState(f); err != nil {
		return err
	}
	st := r.State
	if r.Sched != nil {
		b, err := json.Marshal(r.Sched)
		if err != nil {
			return err
		}
		st.Schedule = b
	}
	st.Plateau = r.Plateau
	if err := ckpt.PutJSON(f.Metadata, "train", st); err != nil {
		return err
	}
	return ckpt.WriteFile(StatePath(r.Out), f)
}

// Resume continues from the state file beside Out. loadWeights checks that
// the saved model is the one being trained and copies its weights; then
// the optimizer, the bookkeeping and the schedules are restored. A run may
// ask for another epoch count than it started with: a cosine schedule is
// re-aimed at it (optim.Retarget).
func (r *Run[O]) Resume(epochs int, loadWeights func(f *ckpt.File) error) error {
	path := StatePath(r.Out)
	f, err := ckpt.Read(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("--resume: %s does not exist (no earlier run with this -o)", path)
		}
		return err
	}
	if err := loadWeights(f); err != nil {
		return err
	}
	if err := r.Opt.LoadState(f); err != nil {
		return err
	}
	opts := r.State.Options
	if err := ckpt.GetJSON(f.Metadata, "train", &r.State); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// The options of this invocation win; the saved ones were a record.
	r.State.Options = opts
	if r.Sched != nil && len(r.State.Schedule) > 0 {
		if err := json.Unmarshal(scheduleJSON(r.State.Schedule), r.Sched); err != nil {
			return fmt.Errorf("%s: schedule: %w", path, err)
		}
	}
	if _, err := optim.Retarget(r.Sched, epochs); err != nil {
		return fmt.Errorf("--resume --epochs %d: %w", epochs, err)
	}
	if r.Plateau != nil && r.State.Plateau != nil {
		// Keep the optimizer binding of the fresh scheduler, take the
		// counters of the saved one.
		b, err := json.Marshal(r.State.Plateau)
		if err == nil {
			err = json.Unmarshal(b, r.Plateau)
		}
		if err != nil {
			return fmt.Errorf("%s: plateau: %w", path, err)
		}
	}
	return nil
}

// scheduleJSON accepts the schedule as inline JSON and, for state files
// written before this package existed, as the base64 string that a []byte
// field marshals to.
func scheduleJSON(raw json.RawMessage) []byte {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return b
		}
	}
	return raw
}
