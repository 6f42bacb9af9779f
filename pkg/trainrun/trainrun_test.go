package trainrun

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/tensor"
)

// toy fits y = 3a − 2b with a bias-free linear layer on eight samples in
// two batches of four. Its validation metric is the scripted vals when
// set, else the mean squared error on the samples.
type toy struct {
	w        *autograd.Var
	x, y     []float32
	vals     []float64
	name     string
	higher   bool
	stopAt   int    // BeginEpoch fails at this epoch (an interrupted run)
	cancel   func() // called during batch cancelAt[1] of epoch cancelAt[0] (a signal)
	cancelAt [2]int
	snaps    [][]float32 // the weights after every validated epoch
}

func newToy(vals []float64, name string, higher bool) *toy {
	t := &toy{w: autograd.NewParam("w", tensor.FromData([]float32{0.1, -0.3}, 1, 2)), vals: vals, name: name, higher: higher}
	for i := range 8 {
		a, b := float32(i%3)-1, float32(i%4)/2-0.5
		t.x = append(t.x, a, b)
		t.y = append(t.y, 3*a-2*b)
	}
	return t
}

func (t *toy) Params() []*autograd.Var { return []*autograd.Var{t.w} }

func (t *toy) BeginEpoch(epoch int) (int, error) {
	if epoch == t.stopAt {
		return 0, errors.New("interrupted")
	}
	return 2, nil
}

func (t *toy) Step(tp *autograd.Tape, epoch, b int) (*autograd.Var, int, error) {
	if t.cancel != nil && t.cancelAt == [2]int{epoch, b} {
		t.cancel()
	}
	x := tp.Const(tp.View(t.x[8*b:8*b+8], 4, 2))
	y := tp.Const(tp.View(t.y[4*b:4*b+4], 4, 1))
	return tp.MSE(tp.Linear(x, t.w, nil), y), 4, nil
}

func (t *toy) Validate(epoch int) (Metric, error) {
	t.snaps = append(t.snaps, slices.Clone(t.w.Value.Data))
	if t.vals != nil {
		return Metric{Name: t.name, Value: t.vals[epoch-1], HigherBetter: t.higher}, nil
	}
	tp := autograd.NewInference()
	l := tp.MSE(tp.Linear(tp.Const(tp.View(t.x, 8, 2)), t.w, nil), tp.Const(tp.View(t.y, 8, 1)))
	return Metric{Name: t.name, Value: float64(l.Value.Data[0])}, nil
}

func (t *toy) File() (*ckpt.File, error) {
	f := ckpt.NewFile()
	f.Metadata["format"] = "toy"
	f.Tensors["w"] = ckpt.FromTensor(t.w.Value)
	return f, nil
}

func (t *toy) LoadWeights(f *ckpt.File) error {
	if f.Metadata["format"] != "toy" {
		return fmt.Errorf("%s: not a toy", f.Name)
	}
	return f.CopyTo("w", t.w.Value)
}

func baseOptions(out string) Options {
	return Options{Epochs: 4, Batch: 4, Optimizer: "adam", LR: 0.05, Momentum: 0.9, Schedule: "cosine",
		StepSize: 2, Gamma: 0.5, Threads: 1, Out: out}
}

// TestFitBest checks that the best model follows the metric's direction
// and that the plateau schedule does too.
func TestFitBest(t *testing.T) {
	for _, tc := range []struct {
		name      string
		vals      []float64
		higher    bool
		schedule  string
		bestEpoch int
		reduced   bool // the plateau lowered the rate
	}{
		{"error lower", []float64{5, 3, 4, 3}, false, "cosine", 2, false},
		{"bleu higher", []float64{5, 3, 4, 6}, true, "none", 4, false},
		{"bleu first", []float64{5, 3, 4, 4}, true, "none", 1, false},
		{"nan never best", []float64{math.NaN(), 3, 2, 2}, false, "none", 3, false},
		{"plateau max rising", []float64{1, 2, 3, 4}, true, "plateau", 4, false},
		{"plateau min rising", []float64{1, 2, 3, 4}, false, "plateau", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m.safetensors")
			opts := baseOptions(out)
			opts.Schedule = tc.schedule
			var reps []EpochReport
			m := newToy(tc.vals, "score", tc.higher)
			st, err := Fit(m, opts, Report{OnEpoch: func(r EpochReport) { reps = append(reps, r) }})
			if err != nil {
				t.Fatal(err)
			}
			if st.BestEpoch != tc.bestEpoch || reps[3].BestEpoch != tc.bestEpoch || reps[3].Best.Value != tc.vals[tc.bestEpoch-1] {
				t.Fatalf("best epoch %d (report %d, %v), want %d", st.BestEpoch, reps[3].BestEpoch, reps[3].Best, tc.bestEpoch)
			}
			best, err := ckpt.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(best.Tensors["w"].Float, m.snaps[tc.bestEpoch-1]) {
				t.Fatalf("best file holds %v, the weights of epoch %d were %v", best.Tensors["w"].Float, tc.bestEpoch, m.snaps[tc.bestEpoch-1])
			}
			if tc.schedule == "plateau" {
				reduced := reps[3].LR < reps[0].LR
				if reduced != tc.reduced {
					t.Fatalf("rates %v %v %v %v: reduced %t, want %t", reps[0].LR, reps[1].LR, reps[2].LR, reps[3].LR, reduced, tc.reduced)
				}
			}
		})
	}
}

// sameFiles fails unless the two files hold bit-identical tensors.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	fa, err := ckpt.Read(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := ckpt.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fa.Tensors) != len(fb.Tensors) {
		t.Fatalf("%s has %d tensors, %s %d", a, len(fa.Tensors), b, len(fb.Tensors))
	}
	for n, x := range fa.Tensors {
		y, ok := fb.Tensors[n]
		if !ok || !slices.Equal(x.Int, y.Int) || len(x.Float) != len(y.Float) {
			t.Fatalf("tensor %q differs", n)
		}
		for i := range x.Float {
			if math.Float32bits(x.Float[i]) != math.Float32bits(y.Float[i]) {
				t.Fatalf("tensor %q[%d]: %g vs %g", n, i, x.Float[i], y.Float[i])
			}
		}
	}
}

// TestResumeSameBits interrupts a run after two epochs, resumes it, and
// compares the best model and the state with an uninterrupted run's; with
// legacy the state's metadata is first rewritten to the older layout
// (unnamed error metric, base64 schedule).
func TestResumeSameBits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*Options)
		legacy bool
	}{
		{"adam cosine", func(*Options) {}, false},
		{"sgd step warmup clip", func(o *Options) {
			o.Optimizer, o.Schedule, o.Warmup, o.ClipNorm, o.WeightDecay = "sgd", "step", 1, 0.5, 1e-3
		}, false},
		{"plateau", func(o *Options) { o.Schedule, o.Patience = "plateau", 0 }, false},
		{"legacy cosine", func(*Options) {}, true},
		{"legacy plateau", func(o *Options) { o.Schedule = "plateau" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			whole := baseOptions(filepath.Join(dir, "whole.safetensors"))
			tc.edit(&whole)
			if _, err := Fit(newToy(nil, "error_pct", false), whole, Report{}); err != nil {
				t.Fatal(err)
			}
			cut := whole
			cut.Out = filepath.Join(dir, "cut.safetensors")
			m := newToy(nil, "error_pct", false)
			m.stopAt = 3
			if _, err := Fit(m, cut, Report{}); err == nil {
				t.Fatal("the interrupted run did not fail")
			}
			if tc.legacy {
				toLegacy(t, StatePath(cut.Out))
			}
			cut.Resume = true
			var reps []EpochReport
			st, err := Fit(newToy(nil, "error_pct", false), cut, Report{OnEpoch: func(r EpochReport) { reps = append(reps, r) }})
			if err != nil {
				t.Fatal(err)
			}
			if len(reps) != 2 || reps[0].Epoch != 3 || len(st.History) != 4 {
				t.Fatalf("resumed reports %+v, history %d", reps, len(st.History))
			}
			sameFiles(t, whole.Out, cut.Out)
			sameFiles(t, StatePath(whole.Out), StatePath(cut.Out))
		})
	}
}

// TestStopSameBits stops runs through Options.Context in mid-epoch and
// after an epoch's last batch: Fit returns a *cliutil.Interrupted, the
// state file holds the last finished epoch, and resuming ends with the
// bits of an uninterrupted run.
func TestStopSameBits(t *testing.T) {
	dir := t.TempDir()
	whole := baseOptions(filepath.Join(dir, "whole.safetensors"))
	if _, err := Fit(newToy(nil, "error_pct", false), whole, Report{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at    [2]int
		saved int
		done  string
	}{
		{[2]int{3, 0}, 2, "2 of 4 epochs done; --resume continues with epoch 3"},
		{[2]int{2, 1}, 2, "2 of 4 epochs done; --resume continues with epoch 3"},
		{[2]int{1, 0}, 0, "0 of 4 epochs done"},
	} {
		t.Run(fmt.Sprintf("epoch%d-batch%d", tc.at[0], tc.at[1]), func(t *testing.T) {
			cut := whole
			cut.Out = filepath.Join(t.TempDir(), "cut.safetensors")
			ctx, cancel := context.WithCancelCause(context.Background())
			cut.Context = ctx
			m := newToy(nil, "error_pct", false)
			m.cancel, m.cancelAt = func() { cancel(&cliutil.Interrupted{Signal: syscall.SIGINT}) }, tc.at
			st, err := Fit(m, cut, Report{})
			var in *cliutil.Interrupted
			if !errors.As(err, &in) || in.Done != tc.done || in.Code() != 130 || st.Epoch != tc.saved {
				t.Fatalf("stopped with %v (state epoch %d)", err, st.Epoch)
			}
			if tc.saved == 0 {
				return // nothing to resume: a new run starts over
			}
			cut.Context, cut.Resume = context.Background(), true
			if _, err := Fit(newToy(nil, "error_pct", false), cut, Report{}); err != nil {
				t.Fatal(err)
			}
			sameFiles(t, whole.Out, cut.Out)
			sameFiles(t, StatePath(whole.Out), StatePath(cut.Out))
		})
	}
}

// toLegacy rewrites a state file's "train" entry as older files have it:
// no metric entry and the schedule as a base64 string.
func toLegacy(t *testing.T, path string) {
	t.Helper()
	f, err := ckpt.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(f.Metadata["train"]), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["best_val_error_pct"]; !ok {
		t.Fatalf("state has no best_val_error_pct: %s", f.Metadata["train"])
	}
	delete(m, "metric")
	if s, ok := m["schedule"]; ok {
		m["schedule"], _ = json.Marshal(base64.StdEncoding.EncodeToString(s))
	}
	b, _ := json.Marshal(m)
	f.Metadata["train"] = string(b)
	if err := ckpt.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
}

// TestResumeErrors: a missing state file and another model's state are
// refused as problems of the Resume option.
func TestResumeErrors(t *testing.T) {
	opts := baseOptions(filepath.Join(t.TempDir(), "none.safetensors"))
	opts.Resume = true
	_, err := Fit(newToy(nil, "mse", false), opts, Report{})
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Option != "Resume" {
		t.Fatalf("missing state: %v", err)
	}
	other := ckpt.NewFile()
	other.Metadata["format"] = "other"
	if err := ckpt.WriteFile(StatePath(opts.Out), other); err != nil {
		t.Fatal(err)
	}
	if _, err := Fit(newToy(nil, "mse", false), opts, Report{}); !errors.As(err, &oe) || oe.Option != "Resume" {
		t.Fatalf("another model's state: %v", err)
	}
}

// TestDiverged: a NaN loss stops the run with the epoch and batch.
func TestDiverged(t *testing.T) {
	m := newToy(nil, "mse", false)
	m.y[5] = float32(math.NaN())
	_, err := Fit(m, baseOptions(filepath.Join(t.TempDir(), "m.safetensors")), Report{})
	if err == nil || err.Error() != "epoch 1 batch 2: the loss diverged (NaN); lower the learning rate or clip the gradients" {
		t.Fatalf("got %v", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		edit   func(*Options)
		option string
	}{
		{func(*Options) {}, ""},
		{func(o *Options) { o.Epochs = 0 }, "Epochs"},
		{func(o *Options) { o.Optimizer = "rmsprop" }, "Optimizer"},
		{func(o *Options) { o.LR = 0 }, "LR"},
		{func(o *Options) { o.Schedule = "linear" }, "Schedule"},
		{func(o *Options) { o.Schedule, o.Gamma = "plateau", 1 }, "Gamma"},
		{func(o *Options) { o.ClipNorm = -1 }, "ClipNorm"},
		{func(o *Options) { o.Out = "" }, "Out"},
	} {
		o := baseOptions("m.safetensors")
		tc.edit(&o)
		err := o.Validate()
		var oe *OptionError
		if tc.option == "" && err != nil || tc.option != "" && (!errors.As(err, &oe) || oe.Option != tc.option) {
			t.Errorf("%+v: %v, want a problem with %q", o, err, tc.option)
		}
	}
}

// TestReportJSON: the keys follow the metrics' names, and a report reads
// back.
func TestReportJSON(t *testing.T) {
	r := EpochReport{Epoch: 3, LR: 0.1, Loss: 0.5, Train: Metric{Name: "error_pct", Value: 4},
		Val: Metric{Name: "error_pct", Value: 5}, Best: Metric{Name: "error_pct", Value: 4.5}, BestEpoch: 2, Seconds: 1, Samples: 10}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"epoch":3,"lr":0.1,"loss":0.5,"train_error_pct":4,"val_error_pct":5,"best_val_error_pct":4.5,"best_epoch":2,"seconds":1,"samples":10}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var back EpochReport
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Fatalf("read back %+v, %v", back, err)
	}
	nll := EpochReport{Val: Metric{Name: "nll", Value: 2}, Best: Metric{Name: "nll", Value: 2}}
	b, _ = json.Marshal(nll)
	if want := `{"epoch":0,"lr":0,"loss":0,"val_nll":2,"best_val_nll":2,"best_epoch":0,"seconds":0,"samples":0}`; string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
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

// TestForBatches: every item is covered once, whatever the thread count.
func TestForBatches(t *testing.T) {
	for _, tc := range []struct{ n, size, threads int }{{0, 4, 2}, {1, 4, 3}, {10, 3, 1}, {10, 3, 4}, {12, 4, 8}} {
		var mu sync.Mutex
		seen := make([]int, tc.n)
		batches := 0
		ForBatches(tc.n, tc.size, tc.threads, func() int { return 0 }, func(_ int, b, lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			batches++
			if lo != b*tc.size || hi-lo > tc.size {
				t.Errorf("%+v: batch %d covers [%d, %d)", tc, b, lo, hi)
			}
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("%+v: item %d seen %d times", tc, i, c)
			}
		}
		if want := (tc.n + tc.size - 1) / tc.size; batches != want {
			t.Fatalf("%+v: %d batches, want %d", tc, batches, want)
		}
	}
}
