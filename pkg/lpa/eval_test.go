package lpa

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/trainrun"
)

func TestIoU(t *testing.T) {
	b := func(s string) []bool {
		out := make([]bool, len(s))
		for i, c := range s {
			out[i] = c == '#'
		}
		return out
	}
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"##..", "##..", 1},
		{"##..", "..##", 0},
		{"###.", ".###", 0.5},
		{"#...", "####", 0.25},
		{"....", "....", 1},
		{"....", "#...", 0},
	} {
		if got := IoU(b(tc.a), b(tc.b)); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("IoU(%s, %s) = %g, want %g", tc.a, tc.b, got, tc.want)
		}
	}
}

// Binarise upsamples, normalises min-max and thresholds at 0.5: a 2×2 map
// with a hot right column marks the right half of the image (the bilinear
// ramp between the cell centres crosses 0.5 half-way), a constant map
// marks nothing.
func TestBinarise(t *testing.T) {
	m := tensor.FromData([]float32{0, 4, 0, 4}, 2, 2)
	got, err := Binarise(m, 8, 8, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]bool, 64)
	for y := 0; y < 8; y++ {
		for x := 4; x < 8; x++ {
			want[y*8+x] = true
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("hot right column:\n got %v\nwant %v", got, want)
	}
	// A lower threshold reaches further left along the ramp: at 0.2 the
	// mask starts at column 3 (normalised value 0.25 at x=3 of 8).
	low, _ := Binarise(m, 8, 8, 0.2)
	if !low[3] || low[2] || !low[4] {
		t.Errorf("threshold 0.2: row 0 is %v", low[:8])
	}
	// Scale and offset do not matter.
	m2 := tensor.FromData([]float32{-3, 5, -3, 5}, 2, 2)
	if got2, _ := Binarise(m2, 8, 8, 0.5); !slices.Equal(got2, got) {
		t.Error("min-max normalisation: an affine change of the map changed the mask")
	}
	flat, _ := Binarise(tensor.FromData([]float32{2, 2, 2, 2}, 2, 2), 4, 4, 0.5)
	if slices.Contains(flat, true) {
		t.Error("a constant map marks pixels")
	}
	if _, err := Binarise(tensor.New(2, 2, 2, 2), 4, 4, 0.5); err == nil {
		t.Error("a 4-D map was accepted")
	}
}

// The CAM is the classifier's weights applied to the last feature maps.
func TestCAM(t *testing.T) {
	cfg := tinyConfig().Baseline()
	m, _ := New(cfg, 2)
	m.Train(false)
	out := m.Forward(autograd.NewInference(), autograd.Const(randomImages(2, 3, cfg.Side, 3)))
	cam, err := m.CAM(out, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	f := out.Features.Value
	C, h, w := f.Shape[1], f.Shape[2], f.Shape[3]
	// The mean of the CAM plus the bias is the class's logit (GAP is linear).
	var mean float64
	for _, v := range cam.Data {
		mean += float64(v) / float64(h*w)
	}
	logit := out.Logits.Value.Data[1*cfg.Classes+3]
	bias := m.classify[0].Bias.Value.Data[3]
	if math.Abs(mean+float64(bias)-float64(logit)) > 1e-5 {
		t.Errorf("mean CAM + bias = %g, logit %g", mean+float64(bias), logit)
	}
	if !slices.Equal(cam.Shape, []int{h, w}) || C != cfg.Widths[Blocks-1] {
		t.Errorf("CAM shape %v", cam.Shape)
	}
	att, _ := New(tinyConfig(), 2)
	if _, err := att.CAM(out, 0, 0); err == nil {
		t.Error("CAM of an attention model")
	}
}

// quadrantTask is a tiny synthetic problem: the class is the quadrant that
// holds a bright square on noise.
func quadrantTask(n, side int, seed uint64) (*tensor.Tensor, []int) {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := tensor.New(n, 3, side, side)
	labels := make([]int, n)
	h := side / 2
	for i := range labels {
		q := rng.IntN(4)
		labels[i] = q
		for c := 0; c < 3; c++ {
			for y := 0; y < side; y++ {
				for xx := 0; xx < side; xx++ {
					v := 0.3 * rng.Float32()
					if y/h == q/2 && xx/h == q%2 && y%h > 4 && y%h < h-4 && xx%h > 4 && xx%h < h-4 {
						v += 0.6
					}
					x.Data[((i*3+c)*side+y)*side+xx] = v
				}
			}
		}
	}
	return x, labels
}

// FGSM raises the loss of a (briefly) trained model, more for a larger ε,
// and leaves the images in [0, 1].
func TestFGSMIncreasesLoss(t *testing.T) {
	cfg := tinyConfig()
	cfg.Classes = 4
	m, _ := New(cfg, 5)
	x, labels := quadrantTask(16, cfg.Side, 1)
	o, _ := optim.NewAdam(m.Params(), optim.AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	tp := autograd.NewTape()
	for step := 0; step < 30; step++ {
		o.ZeroGrad()
		loss := tp.CrossEntropy(m.Forward(tp, tp.Const(x)).Logits, labels, -100)
		tp.Backward(loss)
		tp.Reset()
		o.Step()
	}
	m.Train(false)
	lossAt := func(img *tensor.Tensor) float32 {
		inf := autograd.NewInference()
		return inf.CrossEntropy(m.Forward(inf, inf.Const(img)).Logits, labels, -100).Value.Data[0]
	}
	clean := lossAt(x)
	for _, p := range m.Params() {
		p.RequiresGrad = false
	}
	prev := clean
	for _, eps := range []float32{0.01, 0.05} {
		adv := m.FGSM(tp, x, labels, eps).Clone()
		tp.Reset()
		for i, v := range adv.Data {
			if v < 0 || v > 1 || math.Abs(float64(v-x.Data[i])) > float64(eps)+1e-6 {
				t.Fatalf("ε=%g: pixel %d moved from %g to %g", eps, i, x.Data[i], v)
			}
		}
		l := lossAt(adv)
		if !(l > prev) {
			t.Errorf("ε=%g: loss %g, not above %g (clean %g)", eps, l, prev, clean)
		}
		prev = l
	}
}

// A smoke run of Train on the built-in task: two epochs on a few images
// write the best model and the state; --resume continues with epoch 3;
// Evaluate, EvaluateFGSM and Segment run on the test split.
func TestTrainResumeEvaluate(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip("MNIST not available:", err)
	}
	cfg := DefaultConfig("builtin", 64, 10)
	cfg.Widths = []int{4, 4, 6, 8, 8}
	cfg.Convs = []int{1, 1, 1, 1, 1}
	out := filepath.Join(t.TempDir(), "m.safetensors")
	var reports []EpochReport
	opt := TrainOptions{Options: trainrun.Options{Epochs: 2, Batch: 8, Out: out, Seed: 3, Optimizer: "adam"},
		Limit: 32, ValLimit: 16, Report: trainrun.Report{OnEpoch: func(r EpochReport) { reports = append(reports, r) }}}
	if _, err := Train(cfg, Source{Kind: "builtin"}, opt); err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[1].Epoch != 2 || reports[0].Samples != 32 {
		t.Fatalf("reports %+v", reports)
	}
	for _, p := range []string{out, StatePath(out)} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := ckpt.Read(StatePath(out))
	if err != nil {
		t.Fatal(err)
	}
	var st trainrun.State
	if err := ckpt.GetJSON(f.Metadata, "train", &st); err != nil || st.Epoch != 2 {
		t.Fatalf("state epoch %d, %v", st.Epoch, err)
	}
	reports = nil
	opt.Epochs, opt.Resume = 3, true
	if _, err := Train(cfg, Source{Kind: "builtin"}, opt); err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Epoch != 3 {
		t.Fatalf("resumed reports %+v", reports)
	}
	other := cfg
	other.Compat = "dp"
	if _, err := Train(other, Source{Kind: "builtin"}, opt); err == nil {
		t.Error("resume with another config accepted")
	}
	opt.Out = filepath.Join(t.TempDir(), "none.safetensors")
	if _, err := Train(cfg, Source{Kind: "builtin"}, opt); err == nil {
		t.Error("resume without a state accepted")
	}

	m, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	test, err := Open(Source{Kind: "builtin"}, "test", DataOptions{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	r1 := m.Evaluate(test, EvalOptions{Batch: 7, Threads: 1})
	r2 := m.Evaluate(test, EvalOptions{Batch: 7, Threads: 3})
	if r1 != r2 || r1.N != 20 {
		t.Fatalf("evaluate: %+v with 1 thread, %+v with 3", r1, r2)
	}
	adv := m.EvaluateFGSM(test, 0.1, EvalOptions{Batch: 10, Threads: 2})
	if adv.N != 20 {
		t.Fatalf("fgsm: %+v", adv)
	}
	for _, p := range m.Params() {
		if !p.RequiresGrad {
			t.Fatalf("EvaluateFGSM left %s without gradient", p.Name)
		}
	}
	masked, ok := test.(Masked)
	if !ok {
		t.Fatal("the built-in test split has no masks")
	}
	seg, err := m.Segment(masked, EvalOptions{Batch: 8, Threads: 2})
	if err != nil || seg.N != 20 || seg.MIoU() < 0 || seg.MIoU() > 1 {
		t.Fatalf("segment: %+v (mIoU %g), %v", seg, seg.MIoU(), err)
	}
	if _, err := m.Segment(masked, EvalOptions{Seg: SegMap{Level: 4}}); err == nil {
		t.Error("level 4 accepted")
	}
	for _, th := range []float32{-0.1, 1, 1.5} {
		if _, err := m.Segment(masked, EvalOptions{Seg: SegMap{Threshold: th}}); err == nil {
			t.Errorf("threshold %g accepted", th)
		}
	}
	// Each kind of map has its own default threshold.
	if got := (SegMap{}).ThresholdFor(cfg); got != ScoreThreshold {
		t.Errorf("scores threshold %g", got)
	}
	if got := (SegMap{Attention: true}).ThresholdFor(cfg); got != AttentionThreshold {
		t.Errorf("attention threshold %g", got)
	}
	if got := (SegMap{}).ThresholdFor(cfg.Baseline()); got != CAMThreshold {
		t.Errorf("CAM threshold %g", got)
	}
	if got := (SegMap{Threshold: 0.42}).ThresholdFor(cfg.Baseline()); got != 0.42 {
		t.Errorf("explicit threshold %g", got)
	}
	// Every level, scores and attention weights, gives a score in [0, 1].
	for _, lv := range cfg.AttnLevels() {
		for _, att := range []bool{false, true} {
			r, err := m.Segment(masked, EvalOptions{Batch: 10, Seg: SegMap{Level: lv, Attention: att}})
			if err != nil || r.MIoU() < 0 || r.MIoU() > 1 {
				t.Fatalf("level %d attention=%v: %+v, %v", lv, att, r, err)
			}
		}
	}
	base, _ := New(cfg.Baseline(), 1)
	base.Train(false)
	if _, err := base.Segment(masked, EvalOptions{}); err != nil {
		t.Errorf("baseline CAM segmentation: %v", err)
	}
}

func TestOpenSources(t *testing.T) {
	for _, bad := range []string{"", "cifar10", "cifar10:", "builtin:x", "mnist", "imagefolder:"} {
		if _, err := ParseSource(bad); err == nil {
			t.Errorf("ParseSource(%q) accepted", bad)
		}
	}
	// builtin names the default version of the task, builtin:NAME another;
	// both print back as they were spelled.
	for _, tc := range []struct{ in, task string }{{"builtin", data.DefaultTexturedName}, {"builtin:fragments", "fragments"}, {"builtin:largest", "largest"}} {
		src, err := ParseSource(tc.in)
		if err != nil || src.TaskName() != tc.task || src.String() != tc.in {
			t.Errorf("ParseSource(%q) = %+v, %v (task %s)", tc.in, src, err, src.TaskName())
		}
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Data: "builtin"}, "fragments"}, // files from before named versions
		{Config{Data: "builtin", Task: "largest"}, "largest"},
		{Config{Data: "cifar10"}, ""},
	} {
		if got := tc.cfg.BuiltinTask(); got != tc.want {
			t.Errorf("%+v: BuiltinTask %q, want %q", tc.cfg, got, tc.want)
		}
	}
	if (Config{Data: "builtin"}).Equal(Config{Data: "builtin", Task: "largest"}) {
		t.Error("models of two task versions compare equal")
	}
	// For fills in the version a model learned, unless one is named.
	if got := (Source{Kind: "builtin"}).For(Config{Data: "builtin"}); got.TaskName() != "fragments" {
		t.Errorf("For an unversioned model: %v", got)
	}
	if got := (Source{Kind: "builtin", Task: "fragments"}).For(Config{Data: "builtin", Task: "largest"}); got.Task != "fragments" {
		t.Errorf("For overrode the named version: %v", got)
	}
	// Train refuses a config for one version and data of another.
	wrong := DefaultConfig("builtin", 64, 10)
	wrong.Task = "largest"
	if _, err := Train(wrong, Source{Kind: "builtin", Task: "fragments"}, TrainOptions{Options: trainrun.Options{Epochs: 1}}); err == nil {
		t.Error("Train accepted a largest config on fragments data")
	}
	src, err := ParseSource("cifar10:../../testdata/data/cifar-10-batches-bin")
	if err != nil {
		t.Fatal(err)
	}
	test, err := Open(src, "test", DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if test.Side() != 32 || test.Classes() != 10 || test.Len() == 0 {
		t.Fatalf("cifar10 test: side %d, %d classes, %d images", test.Side(), test.Classes(), test.Len())
	}
	if _, ok := test.(Masked); ok {
		t.Error("CIFAR claims masks")
	}
	// Augmentation keeps values in [0, 1] and changes the image; no
	// augmentation reproduces the stored bytes.
	a, b := make([]float32, 3*32*32), make([]float32, 3*32*32)
	la := test.Load(0, a, nil)
	lb := test.Load(0, b, rand.New(rand.NewPCG(1, 2)))
	if la != lb || slices.Equal(a, b) {
		t.Errorf("augmentation: labels %d %d, image unchanged %v", la, lb, slices.Equal(a, b))
	}
	if _, err := Open(src, "train", DataOptions{Val: 1 << 30}); err == nil {
		t.Error("holding out more than the training set accepted")
	}
	folder, err := Open(Source{Kind: "imagefolder", Dir: "../../testdata/data/imagefolder"}, "test", DataOptions{Side: 32})
	if err != nil {
		t.Fatal(err)
	}
	if folder.Side() != 32 || folder.Len() == 0 || folder.Classes() < 2 {
		t.Fatalf("imagefolder: side %d, %d images, %d classes", folder.Side(), folder.Len(), folder.Classes())
	}
	if _, err := Open(Source{Kind: "cifar10", Dir: t.TempDir()}, "test", DataOptions{}); err == nil {
		t.Error("an empty folder opened as CIFAR")
	}
	if _, err := Open(Source{Kind: "builtin"}, "dev", DataOptions{}); err == nil {
		t.Error("split dev accepted")
	}
}

// TestRendersCycle checks the finite built-in training set: with Renders
// K, epoch e shows the images of epoch (e-1) mod K + 1, and without it
// every epoch renders new ones.
func TestRendersCycle(t *testing.T) {
	pix := 3 * 64 * 64
	img := func(ds Dataset, epoch int) []float32 {
		ds.SetEpoch(epoch)
		x := make([]float32, pix)
		ds.Load(3, x, nil)
		return x
	}
	fresh, err := Open(Source{Kind: "builtin"}, "train", DataOptions{Seed: 7, Limit: 8})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(img(fresh, 1), img(fresh, 2)) {
		t.Error("Renders 0: epochs 1 and 2 show the same image")
	}
	two, err := Open(Source{Kind: "builtin"}, "train", DataOptions{Seed: 7, Limit: 8, Renders: 2})
	if err != nil {
		t.Fatal(err)
	}
	e1, e2, e3, e4 := img(two, 1), img(two, 2), img(two.Fork(), 3), img(two, 4)
	if !slices.Equal(e1, img(fresh, 1)) || !slices.Equal(e1, e3) || !slices.Equal(e2, e4) || slices.Equal(e1, e2) {
		t.Errorf("Renders 2: epochs 1/3 equal %v, 2/4 equal %v, 1/2 differ %v, epoch 1 as without Renders %v",
			slices.Equal(e1, e3), slices.Equal(e2, e4), !slices.Equal(e1, e2), slices.Equal(e1, img(fresh, 1)))
	}
}
