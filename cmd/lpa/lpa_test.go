package main

// End-to-end tests of the model commands: the binary built by TestMain
// (main_test.go) runs on a tiny model made here, on the images under
// testdata/images and on a few built-in test images.

import (
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/viz"
)

const images = "../../testdata/images"

// tinyArgs make train and ablate fast: a few channels, one convolution per
// block, a handful of images.
var tinyArgs = []string{"--widths", "4,4,6,8,8", "--convs", "1,1,1,1,1", "--limit", "16", "--val-limit", "8", "--batch", "8", "--threads", "2"}

// tinyModel writes an untrained tiny model of cfg's variant and returns
// its path.
func tinyModel(t *testing.T, attention bool) string {
	t.Helper()
	cfg := lpa.DefaultConfig("builtin", 64, 10)
	cfg.Widths, cfg.Convs = []int{4, 4, 6, 8, 8}, []int{1, 1, 1, 1, 1}
	cfg.Attention = attention
	m, err := lpa.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func needMNIST(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip("MNIST not available:", err)
	}
}

func TestCommandsHelp(t *testing.T) {
	for cmd, want := range map[string][]string{
		"train":   {"--data", "--attn", "--norm", "--head", "--levels", "--no-attention", "--resume", "--epochs", "--limit", "Examples:"},
		"eval":    {"--model", "--segment", "--fgsm", "--json", "min-max", "0.30", "0.85", "--threshold", "Examples:"},
		"attend":  {"--model", "--alpha", "--cmap", "16-bit", "--display", "--panel", "--cam-model", "Examples:"},
		"segment": {"--model", "--level", "--threshold", "--display", "Examples:"},
		"render":  {"--from", "--count", "--task", "Examples:"},
		"ablate":  {"--epochs", "--limit", "--only", "Examples:"},
	} {
		r := clitest.Run(t, bin, cmd, "--help").Want(t, 0)
		for _, w := range want {
			if !strings.Contains(r.Stdout, w) {
				t.Errorf("%s --help does not mention %q", cmd, w)
			}
		}
	}
}

// The embedded models do not exist before they are trained: a clear
// model error naming the training command. A missing or malformed file is
// a model error too.
func TestModelErrors(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.safetensors")
	os.WriteFile(junk, []byte("not a checkpoint at all"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--model", "att"}, "lpa train"},
		{[]string{"eval", "--model", "baseline"}, "--no-attention"},
		{[]string{"eval", "--model", "no-such.safetensors"}, "no-such.safetensors"},
		{[]string{"eval", "--model", junk}, "junk.safetensors"},
		{[]string{"attend", "--model", junk, "-o", t.TempDir(), filepath.Join(images, "rgb.png")}, "junk.safetensors"},
		{[]string{"segment", "--model", "att", "-o", t.TempDir(), filepath.Join(images, "rgb.png")}, "lpa train"},
	} {
		if _, ok := lpaModelEmbedded(tc.args); ok {
			continue // a build with trained models: nothing to refuse
		}
		r := clitest.Run(t, bin, tc.args...).Want(t, 3)
		if r.Stdout != "" || len(clitest.Lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%v: %s", tc.args, r)
		}
	}
}

// lpaModelEmbedded reports whether args name an embedded model this build
// has.
func lpaModelEmbedded(args []string) (string, bool) {
	i := slices.Index(args, "--model")
	if i < 0 || i+1 >= len(args) {
		return "", false
	}
	name := args[i+1]
	if _, ok := trainCommands[name]; !ok {
		return "", false
	}
	_, _, err := loadModelByName(name)
	return name, err == nil
}

func TestUsageErrors(t *testing.T) {
	model := tinyModel(t, true)
	out := t.TempDir()
	img := filepath.Join(images, "rgb.png")
	for _, args := range [][]string{
		{"train", "--attn", "cos", "-o", filepath.Join(out, "x.safetensors")},
		{"train", "--levels", "4", "-o", filepath.Join(out, "x.safetensors")},
		{"train", "--data", "mnist", "-o", filepath.Join(out, "x.safetensors")},
		{"train", "--widths", "1,2", "-o", filepath.Join(out, "x.safetensors")},
		{"train", "--batch", "1", "-o", filepath.Join(out, "x.safetensors")},
		{"train", "--side", "48", "-o", filepath.Join(out, "x.safetensors")},
		{"train"}, // -o is required
		{"train", "--renders", "-1", "-o", filepath.Join(out, "x.safetensors")},
		{"train", "--renders", "2", "--data", "cifar10:../../testdata/data/cifar-10-batches-bin", "-o", filepath.Join(out, "x.safetensors")},
		{"eval", "--model", model, "--fgsm", "-0.1"},
		{"eval", "--model", model, "--segment", "--fgsm", "0.1"},
		{"eval", "--model", model, "--segment", "--data", "cifar10:../../testdata/data/cifar-10-batches-bin"},
		{"eval", "--model", model, "--level", "7", "--segment"},
		{"eval", "extra-arg"},
		{"attend", "--model", model, img},       // no -o
		{"attend", "--model", model, "-o", out}, // no input
		{"attend", "--model", model, "--alpha", "2", "-o", out, img},
		{"attend", "--model", model, "--cmap", "nope", "-o", out, img},
		{"segment", "--model", model, "--level", "9", "-o", out, img},
		{"segment", "--model", model, "--threshold", "1.5", "-o", out, img},
		{"segment", "--model", model, "--display", "-1", "-o", out, img},
		{"attend", "--model", model, "--display", "99999", "-o", out, img},
		{"attend", "--model", model, "--panel", "--cam-model", model, "-o", out, img}, // not a baseline
		{"render"}, // -o is required
		{"render", "--count", "0", "-o", out},
		{"render", "--task", "nope", "-o", out},
		{"eval", "--model", model, "--segment", "--threshold", "-0.2"},
		{"ablate", "--only", "nothing"},
		{"ablate", "--no-attention"},
	} {
		r := clitest.Run(t, bin, args...).Want(t, 2)
		if r.Stdout != "" || !strings.HasPrefix(r.Stderr, "lpa: ") {
			t.Errorf("%v: %s", args, r)
		}
	}
	// The usage error comes before any output is written.
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("usage errors left files: %v", entries)
	}
}

// attend: good images get one line and two PNGs per level (the heatmap at
// the image's size, the raw 16-bit map on the level's grid); each broken
// one gets one stderr line and no file; the exit code is 1.
func TestAttend(t *testing.T) {
	out := t.TempDir()
	model := tinyModel(t, true)
	good := []string{"rgb.png", "gray.png", "rgb.jpg", "alpha.png"}
	bad := []string{"truncated.png", "not-an-image.png"}
	args := []string{"attend", "--model", model, "-o", out, "--json"}
	for _, n := range append(slices.Clone(good), bad...) {
		args = append(args, filepath.Join(images, n))
	}
	r := clitest.Run(t, bin, args...).Want(t, 1)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != len(good) || len(clitest.Failures(r.Stderr, name)) != len(bad) {
		t.Fatalf("%d result lines, %d error lines: %s", len(lines), len(clitest.Failures(r.Stderr, name)), r)
	}
	for _, l := range lines {
		var rec struct {
			Path     string
			Class    int
			Heatmaps []string
			Raw      []string
			Probs    []float32
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if len(rec.Heatmaps) != 3 || len(rec.Raw) != 3 || len(rec.Probs) != 10 {
			t.Fatalf("record %s", l)
		}
		w, h := size(t, rec.Path)
		z := viz.Zoom(w, h, 256) // the default --display
		for i, p := range rec.Heatmaps {
			if !strings.HasSuffix(p, "_attn_level"+string(rune('1'+i))+".png") {
				t.Errorf("heatmap name %s", p)
			}
			if gw, gh := size(t, p); gw != z*w || gh != z*h || max(gw, gh) < 256 {
				t.Errorf("%s: %dx%d, want the input's %dx%d enlarged %d times", p, gw, gh, w, h, z)
			}
		}
		side := []int{16, 8, 4}
		for i, p := range rec.Raw {
			img := decode(t, p)
			if _, ok := img.(*image.Gray16); !ok {
				t.Errorf("%s is %T, want 16-bit gray", p, img)
			}
			if img.Bounds().Dx() != side[i] {
				t.Errorf("%s: %d wide, want %d", p, img.Bounds().Dx(), side[i])
			}
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 6*len(good) {
		t.Errorf("%d files written, want %d", len(entries), 6*len(good))
	}
	for _, e := range entries {
		for _, b := range bad {
			if strings.HasPrefix(e.Name(), strings.TrimSuffix(b, ".png")) {
				t.Errorf("a failed input left %s", e.Name())
			}
		}
	}
	// The baseline writes its CAM.
	out2 := t.TempDir()
	r = clitest.Run(t, bin, "attend", "--model", tinyModel(t, false), "-o", out2, filepath.Join(images, "rgb.png")).Want(t, 0)
	if !strings.Contains(r.Stdout, "rgb_attn_cam.png") || !strings.Contains(r.Stdout, "rgb_attn_cam_raw.png") {
		t.Errorf("baseline attend: %s", r)
	}
}

func TestSegment(t *testing.T) {
	out := t.TempDir()
	r := clitest.Run(t, bin, "segment", "--model", tinyModel(t, true), "--level", "2", "-o", out,
		filepath.Join(images, "rgb.jpg"), filepath.Join(images, "truncated.png")).Want(t, 1)
	f := strings.Split(strings.TrimSpace(r.Stdout), "\t")
	if len(f) != 6 || !strings.HasSuffix(f[5], "rgb_mask.png") || len(clitest.Failures(r.Stderr, name)) != 1 {
		t.Fatalf("segment: %s", r)
	}
	img := decode(t, f[5])
	w, h := size(t, filepath.Join(images, "rgb.jpg"))
	if z := viz.Zoom(w, h, 256); img.Bounds().Dx() != z*w || img.Bounds().Dy() != z*h {
		t.Errorf("mask %v, image %dx%d enlarged %d times", img.Bounds(), w, h, z)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("mask is %T", img)
	}
	for _, v := range g.Pix {
		if v != 0 && v != 255 {
			t.Fatalf("mask value %d", v)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("%d files, want 1", len(entries))
	}
}

// --display sets the size of the pictures: 0 keeps the image's, N
// enlarges a smaller image by a whole factor; the raw maps keep their grid.
func TestDisplay(t *testing.T) {
	model := tinyModel(t, true)
	in := filepath.Join(images, "rgb.png") // 16x12
	for _, c := range []struct {
		display string
		w, h    int
	}{{"0", 16, 12}, {"40", 48, 36}, {"10", 16, 12}} {
		out := t.TempDir()
		r := clitest.Run(t, bin, "attend", "--model", model, "--display", c.display, "--json", "-o", out, in).Want(t, 0)
		var rec struct{ Heatmaps, Raw []string }
		if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
			t.Fatal(err)
		}
		if w, h := size(t, rec.Heatmaps[0]); w != c.w || h != c.h {
			t.Errorf("--display %s: heatmap %dx%d, want %dx%d", c.display, w, h, c.w, c.h)
		}
		if w, _ := size(t, rec.Raw[0]); w != 16 {
			t.Errorf("--display %s: raw map %d wide, want the level's 16", c.display, w)
		}
		r = clitest.Run(t, bin, "segment", "--model", model, "--display", c.display, "-o", out, in).Want(t, 0)
		if w, h := size(t, strings.Split(strings.TrimSpace(r.Stdout), "\t")[5]); w != c.w || h != c.h {
			t.Errorf("--display %s: mask %dx%d, want %dx%d", c.display, w, h, c.w, c.h)
		}
	}
}

// attend --panel writes one picture per input: the input, one tile per
// map, the mask and (for an attention model) the baseline's CAM mask,
// each enlarged to --display, side by side.
func TestAttendPanel(t *testing.T) {
	att, base := tinyModel(t, true), tinyModel(t, false)
	in := filepath.Join(images, "rgb.jpg") // 32x24: tiles of 64x48 at --display 64
	const pad = 4
	for _, c := range []struct {
		args  []string
		tiles int
	}{
		{[]string{"--model", att, "--cam-model", base}, 6}, // input, 3 levels, mask, CAM mask
		{[]string{"--model", att, "--cam-model", "none"}, 5},
		{[]string{"--model", base}, 3}, // input, CAM, mask
	} {
		out := t.TempDir()
		args := append(append([]string{"attend", "--panel", "--display", "64", "--json", "-o", out}, c.args...), in)
		r := clitest.Run(t, bin, args...).Want(t, 0)
		var rec struct {
			Panel string
			Probs []float32
		}
		if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil || len(rec.Probs) != 10 {
			t.Fatalf("%v: %v %s", c.args, err, r)
		}
		if filepath.Base(rec.Panel) != "rgb_attn_panel.png" {
			t.Errorf("panel name %s", rec.Panel)
		}
		if w, h := size(t, rec.Panel); w != c.tiles*64+(c.tiles+1)*pad || h != 48+2*pad {
			t.Errorf("%v: panel %dx%d, want %d tiles of 64x48", c.args, w, h, c.tiles)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 1 {
			t.Errorf("%v: %d files, want the panel only", c.args, len(entries))
		}
	}
}

// render writes built-in test images that attend reads.
func TestRender(t *testing.T) {
	needMNIST(t)
	out := t.TempDir()
	r := clitest.Run(t, bin, "render", "--from", "3", "--count", "2", "-o", out).Want(t, 0)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "3\t") || !strings.HasSuffix(lines[1], "fragments-0004.png") {
		t.Fatalf("%s", r)
	}
	if w, h := size(t, filepath.Join(out, "fragments-0003.png")); w != 64 || h != 64 {
		t.Errorf("rendered %dx%d, want 64x64", w, h)
	}
}

// render --format npz writes a split as one NumPy archive, described in
// its meta, for the PyTorch twin's trainer: the built-in task, or CIFAR
// and image folders as Go decodes them.
func TestRenderNPZ(t *testing.T) {
	needMNIST(t)
	path := filepath.Join(t.TempDir(), "x.npz")
	r := clitest.Run(t, bin, "render", "--format", "npz", "--split", "val", "--count", "3", "-o", path).Want(t, 0)
	if !strings.HasPrefix(r.Stdout, path+"\t3\tval\t") {
		t.Fatalf("printed %q", r.Stdout)
	}
	hdr, meta := clitest.NPZ(t, path)
	if !strings.Contains(hdr["images"], "(3, 3, 64, 64)") || meta["data"] != "builtin:fragments" || meta["task"] != "fragments" ||
		meta["split"] != "val" || meta["side"] != 64.0 || meta["classes"] != 10.0 {
		t.Errorf("arrays %v, meta %v", hdr, meta)
	}
	r = clitest.Run(t, bin, "render", "--format", "npz", "--data", "cifar10:../../testdata/data/cifar-10-batches-bin",
		"--count", "2", "-o", path).Want(t, 0)
	if !strings.HasPrefix(r.Stdout, path+"\t2\ttest\t-") {
		t.Fatalf("printed %q", r.Stdout)
	}
	hdr, meta = clitest.NPZ(t, path)
	if !strings.Contains(hdr["images"], "(2, 3, 32, 32)") || meta["kind"] != "cifar10" || len(meta["class_names"].([]any)) != 10 {
		t.Errorf("arrays %v, meta %v", hdr, meta)
	}
	for _, args := range [][]string{
		{"--format", "bmp"}, {"--split", "holdout"}, {"--epoch", "0"},
		{"--data", "cifar10:../../testdata/data/cifar-10-batches-bin"}, // PNGs are for the built-in task
		{"--data", "nope:x", "--format", "npz"},
	} {
		clitest.Run(t, bin, append([]string{"render", "-o", path}, args...)...).Want(t, 2)
	}
}

func TestEvalJSON(t *testing.T) {
	needMNIST(t)
	for _, tc := range []struct {
		args []string
		keys []string
	}{
		{nil, []string{"error_pct", "n"}},
		{[]string{"--segment"}, []string{"error_pct", "n", "miou"}},
		{[]string{"--fgsm", "0.1"}, []string{"error_pct", "n", "fgsm"}},
	} {
		for _, att := range []bool{true, false} {
			args := append([]string{"eval", "--model", tinyModel(t, att), "--limit", "12", "--batch", "5", "--json"}, tc.args...)
			r := clitest.Run(t, bin, args...).Want(t, 0)
			var rec map[string]any
			if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, r)
			}
			for _, k := range tc.keys {
				if _, ok := rec[k]; !ok {
					t.Errorf("%v: no %q in %s", args, k, r.Stdout)
				}
			}
			if rec["n"] != 12.0 {
				t.Errorf("%v: n = %v", args, rec["n"])
			}
		}
	}
}

// train writes the model and its state, prints one line per epoch, and
// --resume continues; ablate prints one row per variant.
func TestTrainAndAblate(t *testing.T) {
	needMNIST(t)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	args := append([]string{"train", "--epochs", "1", "--optimizer", "adam", "-o", out}, tinyArgs...)
	r := clitest.Run(t, bin, args...).Want(t, 0)
	if n := len(clitest.Lines(r.Stdout)); n != 1 {
		t.Fatalf("train: %s", r)
	}
	r = clitest.Run(t, bin, append(args[:2:2], append([]string{"2", "--json", "--resume"}, args[3:]...)...)...).Want(t, 0)
	var rec struct{ Epoch int }
	if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil || rec.Epoch != 2 {
		t.Fatalf("resume: %v %s", err, r)
	}
	if m, err := lpa.Load(out); err != nil {
		t.Fatal(err)
	} else if m.Cfg.Task != data.DefaultTexturedName {
		t.Errorf("trained on task %q, want the default %q recorded", m.Cfg.Task, data.DefaultTexturedName)
	}
	r = clitest.Run(t, bin, append([]string{"ablate", "--only", "baseline,dp", "--epochs", "1", "--test-limit", "8", "--json"}, tinyArgs...)...).Want(t, 0)
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 2 || !strings.Contains(lines[0], `"variant":"baseline"`) || !strings.Contains(lines[1], `"name":"(VGG-att3)-concat-dp"`) {
		t.Fatalf("ablate: %s", r)
	}
}

func decode(t *testing.T, p string) image.Image {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return img
}

func size(t *testing.T, p string) (int, int) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return cfg.Width, cfg.Height
}

// eval scores a model on the version of the built-in task it was trained
// on (a file without a version: the first one, fragments) unless --data
// names one.
func TestEvalTaskVersion(t *testing.T) {
	needMNIST(t)
	old := tinyModel(t, true)
	m, err := lpa.Load(old)
	if err != nil {
		t.Fatal(err)
	}
	m.Cfg.Task = "largest"
	current := filepath.Join(t.TempDir(), "largest.safetensors")
	if err := m.Save(current); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model string
		data  []string
		want  string
	}{
		{old, nil, "builtin:fragments"},
		{current, nil, "builtin:largest"},
		{old, []string{"--data", "builtin:largest"}, "builtin:largest"},
	} {
		args := append([]string{"eval", "--model", tc.model, "--limit", "4", "--json"}, tc.data...)
		r := clitest.Run(t, bin, args...).Want(t, 0)
		var rec struct{ Data string }
		if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil || rec.Data != tc.want {
			t.Errorf("%v: data %q, want %q (%v)", args, rec.Data, tc.want, err)
		}
	}
	r := clitest.Run(t, bin, "eval", "--model", old, "--data", "builtin:nope")
	if r.Code == 0 || !strings.Contains(r.Stderr, "nope") {
		t.Errorf("unknown task version: %s", r)
	}
}

// TestMemoryLimit: a 100000x100000 PNG header (a tiny file) let past a
// raised --max-pixels is refused by --max-memory with the needs-about
// line, no crash and no output file, and the other inputs still run.
// attend needs 9 bytes a pixel (the decoded RGBA, the mask, one heatmap:
// 83.8 GiB), segment 6 (55.9 GiB).
func TestMemoryLimit(t *testing.T) {
	huge := filepath.Join(images, "huge-header.png")
	model := tinyModel(t, true)
	for _, c := range []struct {
		limit, want string
	}{
		{"1GiB", "needs about 83.8 GiB, limit 1.0 GiB (--max-memory)"},
		{"4096MiB", "needs about 83.8 GiB, limit 4.0 GiB (--max-memory)"},
	} {
		out := t.TempDir()
		r := clitest.Run(t, bin, "attend", "--model", model, "--max-pixels", "20000000000", "--max-memory", c.limit,
			"-o", out, huge, filepath.Join(images, "rgb.png")).Want(t, 1)
		if got := clitest.Lines(r.Stderr); len(got) != 1 || got[0] != "lpa: "+huge+": "+c.want {
			t.Errorf("--max-memory %s: stderr %q, want one line ending %q", c.limit, r.Stderr, c.want)
		}
		if len(clitest.Lines(r.Stdout)) != 1 || !strings.HasPrefix(r.Stdout, filepath.Join(images, "rgb.png")) {
			t.Errorf("--max-memory %s: the good input did not run: %s", c.limit, r)
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "huge-header") {
				t.Errorf("the refused input left %s", e.Name())
			}
		}
	}
	// The default budget (a share of this machine's memory) refuses it too.
	r := clitest.Run(t, bin, "segment", "--model", model, "--max-pixels", "20000000000", "-o", t.TempDir(), huge).Want(t, 1)
	if !strings.Contains(r.Stderr, "needs about 55.9 GiB, limit ") || strings.Contains(r.Stderr, "goroutine") {
		t.Errorf("default budget: %s", r)
	}
	clitest.Run(t, bin, "attend", "--model", model, "--max-memory", "lots", "-o", t.TempDir(), huge).Want(t, 2)
}

// TestBigPhoto: a 4000x4000 (16 MP) JPEG is shrunk to the model's input
// as it is read, so attend takes seconds, not the tens it took with a
// full-size float copy; the heatmaps still have the photo's size. Its
// speed is measured, not asserted here: bench/bigphoto.sh and
// BenchmarkLoadResize16MP.
func TestBigPhoto(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 16 MP pictures")
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "photo.jpg")
	img := image.NewRGBA(image.Rect(0, 0, 4000, 4000))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + i/16000)
	}
	f, err := os.Create(photo)
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := clitest.Run(t, bin, "attend", "--model", tinyModel(t, true), "-o", filepath.Join(dir, "out"), photo).Want(t, 0)
	heat := strings.Split(strings.Split(strings.TrimSpace(r.Stdout), "\t")[4], ",")
	if w, h := size(t, heat[0]); w != 4000 || h != 4000 {
		t.Errorf("%s is %dx%d, want the photo's 4000x4000", heat[0], w, h)
	}
}
