package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/tensor"
)

// MLPConfig is everything that defines the example's model; the model
// file stores it, so the file alone rebuilds the model.
type MLPConfig struct {
	Hidden int `json:"hidden"`
}

// Validate reports a configuration that cannot be built.
func (c MLPConfig) Validate() error {
	if c.Hidden < 1 {
		return fmt.Errorf("hidden width %d: want at least 1", c.Hidden)
	}
	return nil
}

// MLP is two linear layers with a ReLU between them.
type MLP struct {
	Cfg     MLPConfig
	fc1     *nn.Linear
	fc2     *nn.Linear
	modules nn.List
}

// NewMLP draws the layers' initial weights from seed.
func NewMLP(cfg MLPConfig, seed uint64) (*MLP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	m := &MLP{Cfg: cfg, fc1: nn.NewLinear(rng, "fc1", 2, cfg.Hidden, true), fc2: nn.NewLinear(rng, "fc2", cfg.Hidden, 1, true)}
	m.modules = nn.List{m.fc1, m.fc2}
	return m, nil
}

func (m *MLP) Params() []*autograd.Var { return m.modules.Params() }
func (m *MLP) Buffers() []nn.Buffer    { return m.modules.Buffers() }

// Forward maps x [N, 2] to one output per row.
func (m *MLP) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return m.fc2.Forward(tp, tp.ReLU(m.fc1.Forward(tp, x)))
}

// mlpFormat is the model file's layout: the state dict, a format tag and
// the configuration.
var mlpFormat = nn.ModelFormat{Name: "example.mlp/1", Kind: "an example MLP"}

// Layers, Adam and the model file: learn XOR, save the model, load it
// back from the file alone and check that it gives the same outputs.
func Example() {
	m, _ := NewMLP(MLPConfig{Hidden: 16}, 2)
	opt, _ := optim.NewAdam(m.Params(), optim.AdamConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	x := autograd.Const(tensor.FromData([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2))
	y := autograd.Const(tensor.FromData([]float32{0, 1, 1, 0}, 4, 1))
	tp := autograd.NewTape()
	for step := 0; step < 500; step++ {
		opt.ZeroGrad()
		loss := tp.MSE(m.Forward(tp, x), y)
		tp.Backward(loss)
		tp.Reset()
		opt.Step()
	}

	dir, _ := os.MkdirTemp("", "mlp")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "xor.safetensors")
	if err := mlpFormat.Save(path, m, m.Cfg); err != nil {
		fmt.Println(err)
		return
	}
	f, err := ckpt.Read(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := nn.ReadModel(f, mlpFormat, func(c MLPConfig) (*MLP, error) { return NewMLP(c, 0) })
	if err != nil {
		fmt.Println(err)
		return
	}
	inf := autograd.NewInference()
	a, b := m.Forward(inf, x).Value.Data, back.Forward(inf, x).Value.Data
	for i := range a {
		// Rounded (+0 turns a -0 into 0); the loaded model agrees bit for bit.
		fmt.Printf("%g %v\n", math.Round(float64(a[i])*100)/100+0, a[i] == b[i])
	}
	// Output:
	// 0 true
	// 1 true
	// 1 true
	// 0 true
}
