package ram_test

// Golden tests against the PyTorch twin (python/attnkit_torch/ram.py;
// bench/torch/ram.py writes the fixtures): the twin's weights, a batch of
// images and a fixed glimpse path are stored in
// testdata/golden/ram_*.safetensors together with the twin's logits and the
// cross-entropy gradient of every parameter it reaches. The Go model loads
// the file as a checkpoint, runs ForwardAt on the same path and must agree
// within |got − want| ≤ 1e-5 + 1e-4·|want|. Fixtures with a learned first
// location also hold a greedy episode (logits and the locations the
// location network chose), which the Go model must reproduce. Regenerate
// with
//
//	/usr/bin/python3 bench/torch/ram.py --golden
//
// which also checks the other direction (a Go checkpoint loaded into the
// twin gives Go's logits).

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/tensor"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
)

func TestGoldenTwin(t *testing.T) {
	for _, name := range []string{"ram_rnn", "ram_lstm", "ram_lochidden"} {
		t.Run(name, func(t *testing.T) {
			f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "golden", name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			// The fixture is a checkpoint plus the test's own tensors;
			// FromFile refuses tensors a model does not have, so they are
			// taken out first.
			want := map[string]*ckpt.Entry{}
			for _, n := range f.Names() {
				if strings.HasPrefix(n, "golden.") || strings.HasPrefix(n, "grad.") {
					want[n] = f.Tensors[n]
					delete(f.Tensors, n)
				}
			}
			m, err := ram.FromFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cfg := m.Cfg
			images, locs := want["golden.images"], want["golden.locs"]
			n := images.Shape[0]
			if !tensor.SameShape(locs.Shape, []int{cfg.Glimpses, n, 2}) {
				t.Fatalf("golden.locs shape %v, want [%d %d 2]", locs.Shape, cfg.Glimpses, n)
			}
			path := make([][]float32, cfg.Glimpses)
			for i := range path {
				path[i] = locs.Float[i*2*n : (i+1)*2*n]
			}
			labels := make([]int, n)
			for i, v := range want["golden.labels"].Int {
				labels[i] = int(v)
			}

			autograd.ZeroGrad(m.Params())
			tp := autograd.NewTape()
			ep := m.ForwardAt(tp, images.Float, n, 1, path)
			compare(t, "logits", ep.Logits.Value.Data, want["golden.logits"].Float)
			// With a given path no location is sampled, so the hybrid loss
			// reduces to the cross-entropy.
			loss, _ := m.Loss(tp, ep, labels)
			compare(t, "ce", loss.Value.Data, want["golden.ce"].Float)
			tp.Backward(loss)
			checked := 0
			for _, p := range m.Params() {
				g, ok := want["grad."+p.Name]
				if !ok {
					// The twin stores only gradients the CE reaches; the
					// locator, the baseline and first_loc must get none.
					for _, v := range p.Grad.Data {
						if v != 0 {
							t.Errorf("grad %s: nonzero, but the cross-entropy does not reach it", p.Name)
							break
						}
					}
					continue
				}
				compare(t, "grad "+p.Name, p.Grad.Data, g.Float)
				checked++
			}
			if checked < 8 {
				t.Errorf("only %d parameter gradients compared", checked)
			}
			tp.Reset()

			// With a learned first location the greedy episode is
			// deterministic, and it runs the location network (plain or
			// with its hidden layer) that a fixed path skips.
			if gl, ok := want["golden.greedy_logits"]; ok {
				ep := m.Forward(autograd.NewInference(), images.Float, n, 1, ram.Greedy, nil)
				compare(t, "greedy logits", ep.Logits.Value.Data, gl.Float)
				compare(t, "greedy locs", slices.Concat(ep.Locs...), want["golden.greedy_locs"].Float)
			} else if cfg.LearnedFirst {
				t.Error("fixture has a learned first location but no greedy episode")
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
