package caption

// Golden tests against the PyTorch twin (python/attnkit_torch/caption.py;
// bench/torch/caption.py writes the fixtures): a tiny model's weights, a
// batch of images and captions, and the twin's teacher-forced logits,
// attention, NLL, penalty, loss and every parameter gradient (batch norm on
// batch statistics, no dropout) are stored in
// testdata/caption/twin_*.safetensors. The Go model loads the file as a
// model file and must agree within |got − want| ≤ 1e-5 + 1e-4·|want|.
// Regenerate with
//
//	/usr/bin/python3 bench/torch/caption.py --golden
//
// which also checks the other direction through TestTwinReadsGoModel (a
// Go model file loaded into the twin gives Go's logits and loss).

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/tensor"
)

const (
	goldenAtol = 1e-5
	goldenRtol = 1e-4
)

// compare checks got against want element by element and returns the
// largest |difference|.
func compare(t *testing.T, what string, got []float32, want *ckpt.Entry) float64 {
	t.Helper()
	if len(got) != len(want.Float) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want.Float))
	}
	worst := 0.0
	for i, w := range want.Float {
		d := math.Abs(float64(got[i] - w))
		worst = max(worst, d)
		if d > goldenAtol+goldenRtol*math.Abs(float64(w)) {
			t.Fatalf("%s[%d] = %g, twin %g", what, i, got[i], w)
		}
	}
	return worst
}

// captionsOf reads padded I64 captions [N, T] back into id lists.
func captionsOf(e *ckpt.Entry) [][]int {
	n, T := e.Shape[0], e.Shape[1]
	caps := make([][]int, n)
	for k := range caps {
		for _, v := range e.Int[k*T : (k+1)*T] {
			if v != data.PadID {
				caps[k] = append(caps[k], int(v))
			}
		}
	}
	return caps
}

func TestGoldenTwin(t *testing.T) {
	for _, name := range []string{"twin_soft", "twin_none"} {
		t.Run(name, func(t *testing.T) {
			f, err := ckpt.Read(filepath.Join("..", "..", "testdata", "caption", name+".safetensors"))
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
			m.Train(true)
			rows := make([]int, len(want["golden.rows"].Int))
			for i, v := range want["golden.rows"].Int {
				rows[i] = int(v)
			}
			params := m.Params()
			autograd.ZeroGrad(params)
			tp := autograd.NewTape()
			ann := m.Encode(tp, tp.Const(want["golden.images"].Tensor()))
			r, err := m.Loss(tp, ann, rows, captionsOf(want["golden.captions"]), LossOptions{})
			if err != nil {
				t.Fatal(err)
			}
			worst := compare(t, "logits", r.Logits.Value.Data, want["golden.logits"])
			worst = max(worst, compare(t, "loss", r.Loss.Value.Data, want["golden.loss"]))
			worst = max(worst, compare(t, "nll", []float32{float32(r.NLL)}, want["golden.nll"]))
			worst = max(worst, compare(t, "penalty", []float32{float32(r.Penalty)}, want["golden.penalty"]))
			if a, ok := want["golden.alpha"]; ok {
				worst = max(worst, compare(t, "alpha", r.Attention.Value.Data, a))
			}
			tp.Backward(r.Loss)
			for _, p := range params {
				g, ok := want["grad."+p.Name]
				if !ok {
					t.Fatalf("no twin gradient for %s", p.Name)
				}
				worst = max(worst, compare(t, "grad."+p.Name, p.Grad.Data, g))
			}
			t.Logf("max |Go − twin| = %.2g over logits, loss, attention and %d gradients", worst, len(params))
		})
	}
}

// TestTwinReadsGoModel writes a Go-initialised tiny model with a batch and
// Go's logits and loss to $CAPTION_TWIN_OUT, for bench/torch/caption.py
// --golden to load and compare (the Go → twin direction). It does nothing
// unless that variable is set.
func TestTwinReadsGoModel(t *testing.T) {
	out := os.Getenv("CAPTION_TWIN_OUT")
	if out == "" {
		t.Skip("CAPTION_TWIN_OUT not set (bench/torch/caption.py --golden sets it)")
	}
	vocab, _ := data.NewVocab([]string{"<pad>", "<start>", "<end>", "<unk>", "a", "red", "3", "7", "above", "blue"})
	cfg := Config{Data: "builtin", Side: 16, Widths: []int{4, 6, 8}, Convs: []int{1, 1, 1}, Vocab: vocab.Len(),
		Embed: 5, Hidden: 7, AttnDim: 6, Attention: os.Getenv("CAPTION_TWIN_ATTENTION"), Encoder: EncoderJoint,
		Lambda: DefaultLambda, MaxLen: 10}
	m, err := New(cfg, vocab, 21)
	if err != nil {
		t.Fatal(err)
	}
	m.Train(true)
	rng := rand.New(rand.NewPCG(22, 22))
	x := tensor.New(2, 3, 16, 16)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	rows := []int{0, 1, 1}
	caps := [][]int{{1, 4, 5, 6, 2}, {1, 7, 8, 4, 9, 6, 2}, {1, 6, 2}}
	tp := autograd.NewInference()
	r, err := m.Loss(tp, m.Encode(tp, tp.Const(x)), rows, caps, LossOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range caps {
		for k := 0; k < 7; k++ {
			v := int64(data.PadID)
			if k < len(c) {
				v = int64(c[k])
			}
			ids = append(ids, v)
		}
	}
	f.Tensors["go.images"] = ckpt.FromTensor(x)
	f.Tensors["go.rows"] = ckpt.FromInts([]int64{0, 1, 1}, 3)
	f.Tensors["go.captions"] = ckpt.FromInts(ids, 3, 7)
	f.Tensors["go.logits"] = ckpt.FromTensor(r.Logits.Value.Clone())
	f.Tensors["go.loss"] = ckpt.FromTensor(tensor.FromData([]float32{r.Loss.Value.Data[0]}, 1))
	if err := ckpt.WriteFile(out, f); err != nil {
		t.Fatal(err)
	}
}
