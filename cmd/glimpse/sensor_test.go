package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/ram"
)

// bin is the glimpse binary, built once for every test of this package
// (the model commands' tests may use it too).
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	bin, cleanup = clitest.MustBuild("glimpse")
	code := m.Run()
	cleanup()
	os.Exit(code)
}

const images = "../../testdata/images"

// goodImages decode; each entry is the upright width and height and
// whether the image is gray (so the retina stays gray).
var goodImages = []struct {
	name string
	w, h int
	gray bool
}{
	{"rgb.png", 16, 12, false},
	{"rgb.jpg", 32, 24, false},
	{"anim.gif", 16, 16, false},
	{"lossless.webp", 16, 12, false},
	{"alpha.webp", 16, 12, false},
	{"rgb.bmp", 16, 12, false},
	{"rgb.tiff", 16, 12, false},
	{"gray.png", 16, 12, true},
	{"gray.jpg", 32, 24, true},
	{"gray16.png", 16, 12, true},
	{"paletted.png", 16, 12, false},
	{"alpha.png", 16, 12, false},
	{"rgba64.png", 8, 8, false},
	{"cmyk.jpg", 16, 12, false},
	{"exif-orient-6.jpg", 16, 32, false}, // stored 32x16, rotated upright
	{"exif-orient-8-le.jpg", 16, 32, false},
}

var brokenImages = []string{"truncated.png", "not-an-image.png", "huge-header.png"}

func TestCommon(t *testing.T) {
	clitest.CheckCommon(t, bin, "glimpse", "sensor", "glimpse sensor", "train", "eval", "predict")
	r := clitest.Run(t, bin, "sensor", "--help").Want(t, 0)
	for _, w := range []string{"--at", "--px", "--patch", "--scales", "--overlay", "--shard", "--json", "Examples:", "glimpse sensor photo.jpg"} {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("sensor --help does not mention %q", w)
		}
	}
}

// TestSensorFormats runs every good sample in one batch: one line each,
// one PNG each of the right size, colour kept, gray kept gray, the
// centre reported in upright pixels.
func TestSensorFormats(t *testing.T) {
	out := t.TempDir()
	args := []string{"sensor", "--patch", "4", "--scales", "3", "--display", "8"}
	for _, g := range goodImages {
		args = append(args, filepath.Join(images, g.name))
	}
	args = append(args, "-o", out) // flags after inputs work too
	r := clitest.Run(t, bin, args...).Want(t, 0)
	if r.Stderr != "" {
		t.Fatalf("stderr: %q", r.Stderr)
	}
	lines := clitest.Lines(r.Stdout)
	if len(lines) != len(goodImages) {
		t.Fatalf("%d lines for %d inputs:\n%s", len(lines), len(goodImages), r.Stdout)
	}
	for i, g := range goodImages {
		f := strings.Split(lines[i], "\t")
		if len(f) != 6 || f[0] != filepath.Join(images, g.name) {
			t.Fatalf("line %q", lines[i])
		}
		if f[1] != strconv.Itoa(g.w/2) || f[2] != strconv.Itoa(g.h/2) || f[3] != "0" || f[4] != "0" {
			t.Errorf("%s: location %v, want %d,%d px", g.name, f[1:5], g.w/2, g.h/2)
		}
		img := decodePNG(t, f[5])
		// 3 tiles of 4 px zoomed 2x, two 2-px gaps.
		if b := img.Bounds(); b.Dx() != 3*8+2*ram.RetinaGap || b.Dy() != 8 {
			t.Errorf("%s: retina is %v", g.name, b)
		}
		if _, isGray := img.(*image.Gray); isGray != g.gray {
			t.Errorf("%s: retina %T, want gray=%v", g.name, img, g.gray)
		}
	}
	assertOnlyFiles(t, out, len(goodImages))
}

// TestSensorRetinaPixels checks the retina's content against the image:
// scale 1 is an exact crop, scale 2 averages 2x2 blocks, and outside the
// image the sensor reads black.
func TestSensorRetinaPixels(t *testing.T) {
	dir := t.TempDir()
	const w, h = 40, 30
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), 200, 255})
		}
	}
	in := filepath.Join(dir, "grad.png")
	writePNG(t, in, img)
	out := filepath.Join(dir, "out")
	r := clitest.Run(t, bin, "sensor", "--px", "--at", "20,15", "--patch", "4", "--scales", "2", "--display", "4", "-o", out, in).Want(t, 0)
	f := strings.Split(strings.TrimSpace(r.Stdout), "\t")
	if f[1] != "20" || f[2] != "15" || f[3] != "0" || f[4] != "0" {
		t.Fatalf("location %v", f)
	}
	ret := decodePNG(t, f[5]).(*image.RGBA)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			// Scale 1: box [18,22)x[13,17).
			if got, want := ret.RGBAAt(j, i), img.RGBAAt(18+j, 13+i); got != want {
				t.Fatalf("scale 1 (%d,%d) = %v, want %v", j, i, got, want)
			}
			// Scale 2: box [16,24)x[11,19), 2x2 means.
			x, y := 16+2*j, 11+2*i
			want := color.RGBA{uint8(6*x + 3), uint8(8*y + 4), 200, 255}
			if got := ret.RGBAAt(4+ram.RetinaGap+j, i); got != want {
				t.Fatalf("scale 2 (%d,%d) = %v, want %v", j, i, got, want)
			}
		}
	}
	if got := ret.RGBAAt(4, 0); got != (color.RGBA{ram.RetinaGapGray, ram.RetinaGapGray, ram.RetinaGapGray, 255}) {
		t.Fatalf("separator = %v", got)
	}
	// At the top-left corner, the part of the patch outside reads black.
	r = clitest.Run(t, bin, "sensor", "--at", "-1,-1", "--patch", "4", "--scales", "1", "--display", "4", "--suffix", "_corner", "-o", out, in).Want(t, 0)
	ret = decodePNG(t, strings.Split(strings.TrimSpace(r.Stdout), "\t")[5]).(*image.RGBA)
	if ret.RGBAAt(0, 0) != (color.RGBA{0, 0, 0, 255}) || ret.RGBAAt(2, 2) != img.RGBAAt(0, 0) {
		t.Fatalf("corner retina: %v %v", ret.RGBAAt(0, 0), ret.RGBAAt(2, 2))
	}
}

func TestSensorOverlayAndJSON(t *testing.T) {
	out := t.TempDir()
	in := filepath.Join(images, "rgb.jpg")
	r := clitest.Run(t, bin, "sensor", in, "--at", "-0.5,0.25", "--overlay", "--json", "-o", out).Want(t, 0)
	var rec struct {
		Path    string  `json:"path"`
		X       float64 `json:"x"`
		Y       float64 `json:"y"`
		LX      float64 `json:"lx"`
		LY      float64 `json:"ly"`
		Out     string  `json:"out"`
		Overlay string  `json:"overlay"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
		t.Fatalf("not one JSON object: %q: %v", r.Stdout, err)
	}
	if rec.Path != in || rec.LX != -0.5 || rec.LY != 0.25 || rec.Out != filepath.Join(out, "rgb_glimpse.png") || rec.Overlay != filepath.Join(out, "rgb_glimpse_overlay.png") {
		t.Fatalf("record %+v", rec)
	}
	if rec.X != 8 || rec.Y != 15 {
		t.Fatalf("pixel location %v,%v, want 8,15", rec.X, rec.Y)
	}
	ov := decodePNG(t, rec.Overlay)
	// The 3-scale box of 48 px reaches past the 32x24 image, so the canvas
	// grows, then small canvases are enlarged to at least 256 px.
	if b := ov.Bounds(); max(b.Dx(), b.Dy()) < ram.OverlayMinSide {
		t.Fatalf("overlay %v", b)
	}
	assertOnlyFiles(t, out, 2)
}

// TestSensorBrokenInputs mixes good and broken files: exit 1, exactly one
// stderr line per broken file naming it, the good ones written, and no
// partial or temporary file left behind.
func TestSensorBrokenInputs(t *testing.T) {
	out := t.TempDir()
	args := []string{"sensor", "-o", out, filepath.Join(images, "rgb.png")}
	for _, b := range brokenImages {
		args = append(args, filepath.Join(images, b))
	}
	args = append(args, filepath.Join(images, "gray.png"))
	r := clitest.Run(t, bin, args...).Want(t, cliutil.ExitPartial)
	errs := clitest.Lines(r.Stderr)
	if len(errs) != len(brokenImages) {
		t.Fatalf("want %d stderr lines, got %s", len(brokenImages), r)
	}
	for i, b := range brokenImages {
		if !strings.HasPrefix(errs[i], "glimpse: ") || !strings.Contains(errs[i], b) {
			t.Errorf("stderr line %q does not name %s", errs[i], b)
		}
	}
	if n := len(clitest.Lines(r.Stdout)); n != 2 {
		t.Fatalf("%d result lines, want 2:\n%s", n, r.Stdout)
	}
	for _, f := range []string{"rgb_glimpse.png", "gray_glimpse.png"} {
		decodePNG(t, filepath.Join(out, f))
	}
	assertOnlyFiles(t, out, 2)
}

// TestSensorInputLists covers folders (flat and -r), '-' with paths on
// stdin, and same-named inputs from two folders getting distinct names.
func TestSensorInputLists(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(images, "rgb.png"), filepath.Join(dir, "a", "x.png"))
	copyFile(t, filepath.Join(images, "gray.png"), filepath.Join(dir, "a", "y.PNG"))
	copyFile(t, filepath.Join(images, "rgb.jpg"), filepath.Join(dir, "a", "sub", "x.jpg"))
	os.WriteFile(filepath.Join(dir, "a", "notes.txt"), []byte("not an image"), 0o644)

	out := filepath.Join(dir, "flat")
	r := clitest.Run(t, bin, "sensor", "-o", out, filepath.Join(dir, "a")).Want(t, 0)
	if got := firstColumn(r.Stdout); strings.Join(got, ",") != filepath.Join(dir, "a", "x.png")+","+filepath.Join(dir, "a", "y.PNG") {
		t.Fatalf("flat folder: %v", got)
	}
	out = filepath.Join(dir, "rec")
	r = clitest.Run(t, bin, "sensor", "-r", "-o", out, filepath.Join(dir, "a")).Want(t, 0)
	if len(clitest.Lines(r.Stdout)) != 3 {
		t.Fatalf("recursive: %s", r)
	}
	// x.png and sub/x.jpg both want x_glimpse.png: both get hashed names.
	assertOnlyFiles(t, out, 3)
	names := listDir(t, out)
	if strings.Contains(strings.Join(names, ","), "x_glimpse.png") {
		t.Fatalf("colliding names not disambiguated: %v", names)
	}

	out = filepath.Join(dir, "stdin")
	list := "# paths, one per line\n" + filepath.Join(dir, "a", "x.png") + "\n\n" + filepath.Join(images, "rgb.bmp") + "\n"
	r = clitest.Cmd{Stdin: list}.Run(t, bin, "sensor", "-o", out, "-").Want(t, 0)
	if got := firstColumn(r.Stdout); len(got) != 2 || got[1] != filepath.Join(images, "rgb.bmp") {
		t.Fatalf("stdin list: %s", r)
	}
}

// TestSensorShards: shards are disjoint, cover every input and each
// writes only its own outputs.
func TestSensorShards(t *testing.T) {
	var all []string
	for _, g := range goodImages {
		all = append(all, g.name)
	}
	seen := map[string]int{}
	for k := 0; k < 3; k++ {
		out := t.TempDir()
		r := clitest.Cmd{Dir: images}.Run(t, bin, append([]string{"sensor", "--shard", strconv.Itoa(k) + "/3", "-o", out}, all...)...).Want(t, 0)
		got := firstColumn(r.Stdout)
		for _, p := range got {
			seen[p]++
		}
		assertOnlyFiles(t, out, len(got))
	}
	for _, p := range all {
		if seen[p] != 1 {
			t.Errorf("%s is in %d shards", p, seen[p])
		}
	}
	if len(seen) != len(all) {
		t.Errorf("shards processed %v", seen)
	}
}

// TestSensorNeverOverwritesInputs: outputs that would land on an input,
// by name or through -o pointing into the input folder, are refused per
// input (exit 1) and the input keeps its bytes; the rest still runs.
func TestSensorNeverOverwritesInputs(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(images, "rgb.png"), filepath.Join(dir, "x.png"))
	copyFile(t, filepath.Join(images, "gray.png"), filepath.Join(dir, "x_glimpse.png"))
	before := map[string][]byte{}
	for _, f := range []string{"x.png", "x_glimpse.png"} {
		before[f], _ = os.ReadFile(filepath.Join(dir, f))
	}
	// An empty suffix would name x.png's output x.png itself.
	r := clitest.Run(t, bin, "sensor", "--suffix", "", "-o", dir, filepath.Join(dir, "x.png")).Want(t, cliutil.ExitPartial)
	if len(clitest.Lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "overwrite") || r.Stdout != "" {
		t.Fatalf("self-overwrite: %s", r)
	}
	// The folder holds x.png and x_glimpse.png: x.png's output would
	// replace the other input, so x.png fails and x_glimpse.png runs.
	r = clitest.Cmd{Dir: dir}.Run(t, bin, "sensor", "-o", ".", ".").Want(t, cliutil.ExitPartial)
	if errs := clitest.Lines(r.Stderr); len(errs) != 1 || !strings.Contains(errs[0], "x.png") || !strings.Contains(errs[0], "would overwrite the input") {
		t.Fatalf("collision: %s", r)
	}
	if got := firstColumn(r.Stdout); len(got) != 1 || got[0] != "x_glimpse.png" {
		t.Fatalf("processed %v", got)
	}
	for f, b := range before {
		if now, _ := os.ReadFile(filepath.Join(dir, f)); !bytes.Equal(now, b) {
			t.Fatalf("input %s was modified", f)
		}
	}
	if names := listDir(t, dir); strings.Join(names, ",") != "x.png,x_glimpse.png,x_glimpse_glimpse.png" {
		t.Fatalf("folder now holds %v", names)
	}
}

// TestSensorUsageErrors: bad flags exit 2 before anything is read or
// written, with one explanation on stderr and nothing on stdout.
func TestSensorUsageErrors(t *testing.T) {
	in := filepath.Join(images, "rgb.png")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"at-words", []string{"--at", "left"}},
		{"at-one-number", []string{"--at", "0.5"}},
		{"at-three-numbers", []string{"--at", "0,0,0"}},
		{"at-out-of-range", []string{"--at", "1.5,0"}},
		{"at-nan", []string{"--at", "NaN,0"}},
		{"at-negative-px", []string{"--px", "--at", "-3,4"}},
		{"at-missing-value", []string{"--at"}},
		{"patch-zero", []string{"--patch", "0"}},
		{"scales-too-many", []string{"--scales", "9"}},
		{"display", []string{"--display", "0"}},
		{"shard", []string{"--shard", "3/3"}},
		{"max-pixels", []string{"--max-pixels", "0"}},
		{"suffix-path", []string{"--suffix", "/x"}},
		{"unknown-flag", []string{"--bogus"}},
		{"not-an-int", []string{"--patch", "twelve"}},
		{"no-out", nil},
		{"missing-file", []string{"--at", "0,0", "no-such-file.png"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"sensor"}, c.args...)
			if c.name != "no-out" {
				args = append(args, "-o", out)
			}
			if c.name != "at-missing-value" {
				args = append([]string{args[0], in}, args[1:]...)
			}
			r := clitest.Run(t, bin, args...).Want(t, cliutil.ExitUsage)
			if r.Stdout != "" || !strings.HasPrefix(r.Stderr, "glimpse: ") {
				t.Fatalf("%s", r)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatalf("output folder created on a usage error")
			}
		})
	}
	// No input at all.
	clitest.Run(t, bin, "sensor", "-o", t.TempDir()).Want(t, cliutil.ExitUsage)
}

// A pixel location outside a particular image fails that image only.
func TestSensorPixelOutsideImage(t *testing.T) {
	out := t.TempDir()
	r := clitest.Run(t, bin, "sensor", "--px", "--at", "20,10", "-o", out,
		filepath.Join(images, "rgb.png"), filepath.Join(images, "rgb.jpg")).Want(t, cliutil.ExitPartial)
	if errs := clitest.Lines(r.Stderr); len(errs) != 1 || !strings.Contains(errs[0], "rgb.png") || !strings.Contains(errs[0], "outside the 16x12 image") {
		t.Fatalf("%s", r)
	}
	if got := firstColumn(r.Stdout); len(got) != 1 || !strings.HasSuffix(got[0], "rgb.jpg") {
		t.Fatalf("%s", r)
	}
}

func TestParseAt(t *testing.T) {
	for _, c := range []struct {
		in   string
		px   bool
		want ram.Point
		ok   bool
	}{
		{"center", false, ram.Point{Centre: true}, true},
		{"Centre", true, ram.Point{Centre: true, Pixels: true}, true},
		{"0,0", false, ram.Point{}, true},
		{" -1 , 1 ", false, ram.Point{X: -1, Y: 1}, true},
		{"-0.5,0.25", false, ram.Point{X: -0.5, Y: 0.25}, true},
		{"120,80", true, ram.Point{X: 120, Y: 80, Pixels: true}, true},
		{"120,80", false, ram.Point{}, false},
		{"1.01,0", false, ram.Point{}, false},
		{"-1,0", true, ram.Point{}, false},
		{"inf,0", true, ram.Point{}, false},
		{"0;0", false, ram.Point{}, false},
		{"", false, ram.Point{}, false},
	} {
		got, err := parseAt(c.in, c.px)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("parseAt(%q, %v) = %+v, %v", c.in, c.px, got, err)
		}
		if err != nil && cliutil.ExitCode(err) != cliutil.ExitUsage {
			t.Errorf("parseAt(%q): not a usage error", c.in)
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(dst), 0o755)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// assertOnlyFiles checks that dir holds exactly n files, all complete
// PNGs: no temporary file survived an atomic write.
func assertOnlyFiles(t *testing.T, dir string, n int) {
	t.Helper()
	names := listDir(t, dir)
	if len(names) != n {
		t.Fatalf("%s holds %d files, want %d: %v", dir, len(names), n, names)
	}
	for _, f := range names {
		if strings.HasPrefix(f, ".") || !strings.HasSuffix(f, ".png") {
			t.Fatalf("unexpected file %s in %s", f, dir)
		}
		decodePNG(t, filepath.Join(dir, f))
	}
}

func firstColumn(stdout string) []string {
	var out []string
	for _, l := range clitest.Lines(stdout) {
		out = append(out, strings.SplitN(l, "\t", 2)[0])
	}
	return out
}
