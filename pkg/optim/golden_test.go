package optim_test

// Golden tests: two steps of each optimizer on the parameter and gradients
// PyTorch used in bench/torch/fixtures.py; the parameter and the optimizer
// state after each step must match torch.optim's within
// |got − want| ≤ goldenAtol + goldenRtol·|want|. Regenerate the fixtures
// (testdata/golden) with
//
//	/usr/bin/python3 bench/torch/fixtures.py

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/tensor"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
)

func TestGoldenOptimizers(t *testing.T) {
	cases := []struct {
		file  string
		state []string // optimizer state tensors compared after each step
		build func(meta func(string) float64, ps []*autograd.Var) (optim.Optimizer, error)
	}{
		{"adam", []string{"exp_avg", "exp_avg_sq"}, func(m func(string) float64, ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewAdam(ps, optim.AdamConfig{LR: m("lr"), Beta1: m("beta1"), Beta2: m("beta2"), Eps: m("eps"), WeightDecay: m("weight_decay")})
		}},
		{"adamw", []string{"exp_avg", "exp_avg_sq"}, func(m func(string) float64, ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewAdamW(ps, optim.AdamConfig{LR: m("lr"), Beta1: m("beta1"), Beta2: m("beta2"), Eps: m("eps"), WeightDecay: m("weight_decay")})
		}},
		{"sgd_nesterov", []string{"momentum_buffer"}, func(m func(string) float64, ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewSGD(ps, optim.SGDConfig{LR: m("lr"), Momentum: m("momentum"), Dampening: m("dampening"),
				WeightDecay: m("weight_decay"), Nesterov: true})
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "golden", c.file+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			get := func(name string) *tensor.Tensor {
				t.Helper()
				v, err := f.Tensor(name)
				if err != nil {
					t.Fatal(err)
				}
				return v.Clone()
			}
			meta := func(key string) float64 {
				t.Helper()
				v, err := strconv.ParseFloat(f.Metadata[key], 64)
				if err != nil {
					t.Fatalf("%s: metadata %q: %v", f.Name, key, err)
				}
				return v
			}
			p := autograd.NewParam("param", get("param"))
			opt, err := c.build(meta, []*autograd.Var{p})
			if err != nil {
				t.Fatal(err)
			}
			for step := 1; step <= 2; step++ {
				copy(p.Grad.Data, get(fmt.Sprintf("grad.step%d", step)).Data)
				opt.Step()
				if msg := compareGolden(p.Value, get(fmt.Sprintf("param.step%d", step))); msg != "" {
					t.Errorf("param after step %d: %s", step, msg)
				}
				st := ckpt.NewFile()
				if err := opt.SaveState(st); err != nil {
					t.Fatal(err)
				}
				for _, k := range c.state {
					got, err := st.Tensor(optim.TensorPrefix + k + ".param")
					if err != nil {
						t.Fatal(err)
					}
					if msg := compareGolden(got, get(fmt.Sprintf("%s.step%d", k, step))); msg != "" {
						t.Errorf("%s after step %d: %s", k, step, msg)
					}
				}
			}
		})
	}
}

// compareGolden returns "" when got matches want within tolerance, or a
// description of how many elements differ and of the worst one.
func compareGolden(got, want *tensor.Tensor) string {
	if !tensor.SameShape(got.Shape, want.Shape) {
		return fmt.Sprintf("shape %v, torch %v", got.Shape, want.Shape)
	}
	worst, at, bad := 0.0, -1, 0
	for i, w := range want.Data {
		d := math.Abs(float64(got.Data[i]) - float64(w))
		r := d / (goldenAtol + goldenRtol*math.Abs(float64(w)))
		if math.IsNaN(r) {
			r = math.Inf(1)
		}
		if r > 1 {
			bad++
		}
		if r > worst || at < 0 {
			worst, at = r, i
		}
	}
	if bad == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d elements out of tolerance; worst at flat index %d: got %.7g, torch %.7g (|diff| = %.3g × tolerance)",
		bad, len(want.Data), at, got.Data[at], want.Data[at], worst)
}
