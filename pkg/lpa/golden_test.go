package lpa

// Golden tests against the PyTorch twin (python/attnkit_torch/lpa.py;
// bench/torch/lpa.py writes the fixtures): the twin's weights (with random
// batch-norm statistics), a batch of images, the logits and attention maps
// in evaluation mode, and the loss, logits, parameter gradients and updated
// running statistics of one training-mode step are stored in
// testdata/golden/lpa_*.safetensors. The Go model loads the file as a
// checkpoint and must agree within |got − want| ≤ 1e-5 + 1e-4·|want|.
// Regenerate with
//
//	/usr/bin/python3 bench/torch/lpa.py --golden
//
// which also checks the other direction through TestTwinWritesGoCheckpoint
// (a Go checkpoint loaded into the twin gives Go's logits and maps).

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
)

func TestGoldenTwin(t *testing.T) {
	for _, name := range []string{"lpa_att3_concat_pc", "lpa_att2_indep_dp_sigmoid_after", "lpa_baseline"} {
		t.Run(name, func(t *testing.T) {
			f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "golden", name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]*ckpt.Entry{}
			for _, n := range f.Names() {
				if strings.HasPrefix(n, "golden.") || strings.HasPrefix(n, "grad.") {
					want[n] = f.Tensors[n]
					delete(f.Tensors, n)
				}
			}
			m, err := FromFile(f)
			if err != nil {
				t.Fatal(err)
			}
			img := want["golden.images"]
			x := img.Tensor()
			labels := make([]int, len(want["golden.labels"].Int))
			for i, v := range want["golden.labels"].Int {
				labels[i] = int(v)
			}

			// Evaluation mode: running statistics.
			inf := autograd.NewInference()
			out := m.Forward(inf, inf.Const(x))
			compare(t, "eval logits", out.Logits.Value.Data, want["golden.eval.logits"].Float)
			for k, lv := range m.Cfg.AttnLevels() {
				compare(t, fmt.Sprintf("eval attn%d", lv), out.Attn[k].Value.Data, want[fmt.Sprintf("golden.eval.attn%d", lv)].Float)
			}
			if !m.Cfg.Attention {
				compare(t, "eval features", out.Features.Value.Data, want["golden.eval.features"].Float)
			}

			// One training step: batch statistics, loss, gradients, and
			// the running statistics it updates.
			m.Train(true)
			tp := autograd.NewTape()
			out = m.Forward(tp, tp.Const(x))
			loss := tp.CrossEntropy(out.Logits, labels, -100)
			compare(t, "train logits", out.Logits.Value.Data, want["golden.train.logits"].Float)
			compare(t, "train loss", loss.Value.Data, want["golden.train.loss"].Float)
			tp.Backward(loss)
			for _, p := range m.Params() {
				g, ok := want["grad."+p.Name]
				if !ok {
					t.Fatalf("the fixture has no gradient of %s", p.Name)
				}
				compare(t, "grad "+p.Name, p.Grad.Data, g.Float)
			}
			n := 0
			for _, b := range m.Buffers() {
				if w, ok := want["golden.after."+b.Name]; ok {
					compare(t, b.Name+" after the step", b.Value.Data, w.Float)
					n++
				}
			}
			if n == 0 {
				t.Error("no running statistics compared")
			}
		})
	}
}

func compare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > goldenAtol+goldenRtol*math.Abs(float64(want[i])) || math.IsNaN(float64(got[i])) {
			if bad < 3 {
				t.Errorf("%s[%d] = %g, want %g (diff %.3g)", what, i, got[i], want[i], d)
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

// TestTwinWritesGoCheckpoint is the twin's way to get a Go-made model:
// with LPA_TWIN_OUT set it builds a model from the default configuration
// overridden by LPA_TWIN_CONFIG (JSON, Config's field names), gives its
// batch norms random statistics, and saves it with its logits and maps on
// a random batch (twin.images, twin.logits, twin.attn<k>). Without the
// variable it does nothing.
func TestTwinWritesGoCheckpoint(t *testing.T) {
	out := os.Getenv("LPA_TWIN_OUT")
	if out == "" {
		t.Skip("LPA_TWIN_OUT not set (bench/torch/lpa.py --golden sets it)")
	}
	cfg := DefaultConfig("builtin", 64, 10)
	if s := os.Getenv("LPA_TWIN_CONFIG"); s != "" {
		if err := json.Unmarshal([]byte(s), &cfg); err != nil {
			t.Fatal(err)
		}
	}
	m, err := New(cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 1))
	for _, b := range m.Buffers() {
		if b.Value == nil {
			continue
		}
		for i := range b.Value.Data {
			if strings.HasSuffix(b.Name, "running_var") {
				b.Value.Data[i] = 0.5 + 1.5*rng.Float32()
			} else {
				b.Value.Data[i] = 0.6*rng.Float32() - 0.3
			}
		}
	}
	for _, l := range m.classify {
		for i := range l.Weight.Value.Data {
			l.Weight.Value.Data[i] *= 30
		}
	}
	m.Train(false)
	x := randomImages(3, cfg.Channels, cfg.Side, 7)
	o := m.Forward(autograd.NewInference(), autograd.Const(x))
	f, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	f.Tensors["twin.images"] = ckpt.FromTensor(x)
	f.Tensors["twin.logits"] = ckpt.FromTensor(o.Logits.Value.Clone())
	for k, lv := range cfg.AttnLevels() {
		f.Tensors[fmt.Sprintf("twin.attn%d", lv)] = ckpt.FromTensor(o.Attn[k].Value.Clone())
	}
	if err := ckpt.WriteFile(out, f); err != nil {
		t.Fatal(err)
	}
}
