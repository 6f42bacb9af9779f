package imgtx

// Golden tests against the PyTorch twin of the local-1D model
// (python/attnkit_torch/imgtx.py; bench/torch/imgtx.py writes the
// fixtures): the twin's weights, a batch of images and labels, the logits,
// the mean NLL and every parameter gradient are stored in
// testdata/imgtx/imgtx_*.safetensors. The Go model loads the file as a
// model file and must agree within |got − want| ≤ 1e-5 + 1e-4·|want|.
// Regenerate with
//
//	/usr/bin/python3 bench/torch/imgtx.py --golden
//
// which also checks the other direction through TestTwinWritesGoCheckpoint.

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/tensor"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
)

func TestGoldenTwin(t *testing.T) {
	for _, name := range []string{"imgtx_local1d", "imgtx_local1d_rgb_postnorm_learned", "imgtx_local1d_class"} {
		t.Run(name, func(t *testing.T) {
			worstDiff = 0
			f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "imgtx", name+".safetensors"))
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
			b := Batch{N: 2}
			for _, v := range want["golden.pixels"].Int {
				b.Pixels = append(b.Pixels, uint8(v))
			}
			for _, v := range want["golden.labels"].Int {
				b.Labels = append(b.Labels, int(v))
			}
			tp := autograd.NewTape()
			logits, err := m.Logits(tp, b, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "logits", logits.Value.Data, want["golden.logits"].Float)
			tp.Reset()
			autograd.ZeroGrad(m.Params())
			loss, err := m.Loss(tp, b, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "loss", loss.Value.Data, want["golden.loss"].Float)
			tp.Backward(loss)
			for _, p := range m.Params() {
				g, ok := want["grad."+p.Name]
				if !ok {
					t.Fatalf("the fixture has no gradient of %s", p.Name)
				}
				compare(t, "grad "+p.Name, p.Grad.Data, g.Float)
			}
			t.Logf("largest |Go − torch| over logits, loss and gradients: %.2g", worstDiff)
		})
	}
}

// worstDiff is the largest difference compare has seen, for the log.
var worstDiff float64

func compare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		worstDiff = max(worstDiff, d)
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
// with IMGTX_TWIN_OUT set it builds the model IMGTX_TWIN_CONFIG describes
// (JSON, Config's field names) with Go's initialisation, and saves it with
// a random batch and its logits and loss (twin.pixels, twin.labels,
// twin.logits, twin.loss). Without the variable it does nothing.
func TestTwinWritesGoCheckpoint(t *testing.T) {
	out := os.Getenv("IMGTX_TWIN_OUT")
	if out == "" {
		t.Skip("IMGTX_TWIN_OUT not set (bench/torch/imgtx.py --golden sets it)")
	}
	var cfg Config
	if err := json.Unmarshal([]byte(os.Getenv("IMGTX_TWIN_CONFIG")), &cfg); err != nil {
		t.Fatal(err)
	}
	m, err := New(cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	b := randomBatch(cfg, 2, 43)
	tp := autograd.NewInference()
	logits, err := m.Logits(tp, b, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	lv := logits.Value.Clone()
	loss, err := m.Loss(tp, b, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]int64, len(b.Pixels))
	for i, v := range b.Pixels {
		pix[i] = int64(v)
	}
	labels := make([]int64, b.N)
	for i := range labels {
		labels[i] = int64(b.Labels[i])
	}
	f.Tensors["twin.pixels"] = ckpt.FromInts(pix, b.N, cfg.Len())
	f.Tensors["twin.labels"] = ckpt.FromInts(labels, b.N)
	f.Tensors["twin.logits"] = ckpt.FromTensor(lv)
	lt := tensor.New(1)
	lt.Data[0] = loss.Value.Data[0]
	f.Tensors["twin.loss"] = ckpt.FromTensor(lt)
	if err := ckpt.WriteFile(out, f); err != nil {
		t.Fatal(err)
	}
}
