package trainrun

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/tensor"
)

// toy is a one-parameter model.
type toy struct{ w *autograd.Var }

func (m toy) File() (*ckpt.File, error) {
	f := ckpt.NewFile()
	f.Metadata["format"] = "toy"
	f.Tensors["w"] = ckpt.FromTensor(m.w.Value)
	return f, nil
}

type opts struct{ Epochs int }

func newRun(t *testing.T, out string, epochs int) (*Run[opts], toy, *optim.CosineAnnealing) {
	t.Helper()
	m := toy{autograd.NewParam("w", tensor.New(3))}
	o, err := optim.NewAdam([]*autograd.Var{m.w}, optim.AdamConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := optim.NewCosineAnnealing(o, epochs, 0)
	if err != nil {
		t.Fatal(err)
	}
	return New(out, m, o, s, nil, opts{epochs}), m, s
}

func load(m toy) func(f *ckpt.File) error {
	return func(f *ckpt.File) error {
		w, ok := f.Tensors["w"]
		if !ok {
			return fmt.Errorf("%s: no tensor w", f.Name)
		}
		copy(m.w.Value.Data, w.Float)
		return nil
	}
}

// TestRunBestAndResume checks the best-model rule, the history, and that a
// resumed run picks up the epoch, the best figures, the weights and the
// schedule.
func TestRunBestAndResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.safetensors")
	run, m, s := newRun(t, out, 4)
	for e, v := range []float64{5, 3, 4} {
		m.w.Value.Data[0] = float32(e + 1)
		rep := EpochReport{Epoch: e + 1, ValErr: v}
		if err := run.EndEpoch(&rep); err != nil {
			t.Fatal(err)
		}
		if e == 2 && (rep.BestErr != 3 || rep.BestEpoch != 2) {
			t.Fatalf("epoch 3 report: best %g at %d, want 3 at 2", rep.BestErr, rep.BestEpoch)
		}
	}
	best, err := ckpt.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := best.Tensors["w"].Float[0]; got != 2 {
		t.Fatalf("best model holds the weights of epoch %g, want 2", got)
	}
	lr := s.LR()

	run2, m2, s2 := newRun(t, out, 4)
	if err := run2.Resume(4, load(m2)); err != nil {
		t.Fatal(err)
	}
	if run2.State.Epoch != 3 || run2.State.BestEpoch != 2 || len(run2.State.History) != 3 {
		t.Fatalf("resumed state %+v", run2.State)
	}
	if m2.w.Value.Data[0] != 3 || s2.LR() != lr {
		t.Fatalf("resumed weight %g and rate %g, want 3 and %g", m2.w.Value.Data[0], s2.LR(), lr)
	}
	// No state file: a clear error.
	run3, m3, _ := newRun(t, filepath.Join(t.TempDir(), "none.safetensors"), 4)
	if err := run3.Resume(4, load(m3)); err == nil {
		t.Fatal("resumed from a missing state file")
	}
}

// TestScheduleJSONLegacy reads a schedule stored the old way, as the base64
// string a []byte field marshals to.
func TestScheduleJSONLegacy(t *testing.T) {
	inline := []byte(`{"t_max":5,"lr":0.5}`)
	legacy, _ := json.Marshal(inline) // a JSON string holding base64
	for _, raw := range [][]byte{inline, legacy} {
		var v struct {
			TMax int     `json:"t_max"`
			LR   float64 `json:"lr"`
		}
		if err := json.Unmarshal(scheduleJSON(raw), &v); err != nil || v.TMax != 5 || v.LR != 0.5 {
			t.Fatalf("%s: %+v, %v", raw, v, err)
		}
	}
}
