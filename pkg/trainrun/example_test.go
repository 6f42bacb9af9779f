package trainrun_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/trainrun"
)

// Config defines the example's model: a linear regression of In inputs.
type Config struct {
	In int `json:"in"`
}

// Model is the model itself: one linear layer.
type Model struct {
	Cfg Config
	fc  *nn.Linear
}

// NewModel draws the initial weights from seed.
func NewModel(cfg Config, seed uint64) (*Model, error) {
	if cfg.In < 1 {
		return nil, fmt.Errorf("%d inputs: want at least 1", cfg.In)
	}
	return &Model{Cfg: cfg, fc: nn.NewLinear(rand.New(rand.NewPCG(seed, 0)), "fc", cfg.In, 1, true)}, nil
}

func (m *Model) Params() []*autograd.Var { return m.fc.Params() }
func (m *Model) Buffers() []nn.Buffer    { return nil }

// format is the model file's layout (nn.ModelFormat).
var format = nn.ModelFormat{Name: "example.linear/1", Kind: "an example linear model"}

// File returns the model as a model file.
func (m *Model) File() (*ckpt.File, error) { return format.File(m, m.Cfg) }

// FromFile rebuilds a model from its file.
func FromFile(f *ckpt.File) (*Model, error) {
	return nn.ReadModel(f, format, func(c Config) (*Model, error) { return NewModel(c, 0) })
}

// trainer is what Fit needs from the model: batches, the loss of one, a
// validation metric and the weights of a state file. Here the data are
// 64 noisy samples of y = 2a − b + 0.5, the first 48 for training in
// batches of 16 and the last 16 for validation.
type trainer struct {
	*Model
	x, y []float32
}

func (t *trainer) BeginEpoch(epoch int) (int, error) { return 3, nil }

func (t *trainer) Step(tp *autograd.Tape, epoch, b int) (*autograd.Var, int, error) {
	x := tp.Const(tp.View(t.x[32*b:32*b+32], 16, 2))
	y := tp.Const(tp.View(t.y[16*b:16*b+16], 16, 1))
	return tp.MSE(t.fc.Forward(tp, x), y), 16, nil
}

// Validate returns the mean squared error on the validation samples,
// lower-is-better.
func (t *trainer) Validate(epoch int) (trainrun.Metric, error) {
	tp := autograd.NewInference()
	pred := t.fc.Forward(tp, tp.Const(tp.View(t.x[96:], 16, 2)))
	mse := tp.MSE(pred, tp.Const(tp.View(t.y[48:], 16, 1)))
	return trainrun.Metric{Name: "mse", Value: float64(mse.Value.Data[0]), Digits: 4}, nil
}

func (t *trainer) LoadWeights(f *ckpt.File) error {
	saved, err := FromFile(f)
	if err != nil {
		return err
	}
	if saved.Cfg != t.Cfg {
		return fmt.Errorf("%s holds a model of %+v, not %+v", f.Name, saved.Cfg, t.Cfg)
	}
	return nn.CopyParams(t.Model, saved)
}

// A model through the shared loop: Fit trains it, writes the best model
// (lowest validation error) and the state file, and prints one line per
// epoch; the best model then loads from its file alone.
func Example() {
	rng := rand.New(rand.NewPCG(7, 7))
	t := &trainer{}
	for range 64 {
		a, b := float32(rng.Float64()*2-1), float32(rng.Float64()*2-1)
		t.x = append(t.x, a, b)
		t.y = append(t.y, 2*a-b+0.5+float32(rng.NormFloat64()*0.05))
	}
	t.Model, _ = NewModel(Config{In: 2}, 1)

	dir, _ := os.MkdirTemp("", "fit")
	defer os.RemoveAll(dir)
	opts := trainrun.Options{Epochs: 40, Batch: 16, Optimizer: "adam", LR: 0.1, Schedule: "cosine",
		Threads: 1, Out: filepath.Join(dir, "linear.safetensors")}
	var log bytes.Buffer
	st, err := trainrun.Fit(t, opts, trainrun.Report{Lines: &log, JSON: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("best epoch", st.BestEpoch, st.Best)
	f, err := ckpt.Read(opts.Out)
	if err != nil {
		fmt.Println(err)
		return
	}
	best, err := FromFile(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := best.fc.Weight.Value.Data
	fmt.Printf("y = %.1fa %+.1fb %+.1f\n", w[0], w[1], best.fc.Bias.Value.Data[0])
	_, err = os.Stat(trainrun.StatePath(opts.Out))
	fmt.Println("state file written:", err == nil, "log lines:", bytes.Count(log.Bytes(), []byte("\n")))
	// Output:
	// best epoch 27 mse 0.0036
	// y = 2.0a -1.0b +0.5
	// state file written: true log lines: 40
}
