package clitest

import (
	"archive/zip"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/testimg"
)

// CheckOutDir runs a command whose outputs go under a folder, with that
// folder unusable three ways: a regular file, a path under a regular file
// (it cannot be created) and a folder that cannot be written. Each must
// be a usage error found before any input is read: exit 2, nothing on
// stdout, exactly one line on stderr, "name: -o DIR: reason", and no file
// left behind. args returns the command line for an output folder.
func CheckOutDir(t *testing.T, bin, name string, args func(out string) []string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "taken.png")
	if err := os.WriteFile(file, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(out string) {
		t.Helper()
		a := args(out)
		r := Run(t, bin, a...).Want(t, 2)
		lines := Lines(r.Stderr)
		if r.Stdout != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], name+": -o "+out+": ") {
			t.Errorf("%v: want one line %q..., got %s", a, name+": -o "+out+": ", r)
		}
	}
	check(file)
	check(filepath.Join(file, "sub"))
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left behind in %s: %v", dir, entries)
	}
	check(ReadOnlyDir(t)) // last: it skips the test where no folder can be made read-only
}

// CheckFailureLines checks stderr of a batch with broken inputs: one line
// per input in bad, each "name: path: reason" with the path once.
func CheckFailureLines(t *testing.T, r Result, name string, bad []string) {
	t.Helper()
	lines := Lines(r.Stderr)
	if len(lines) != len(bad) {
		t.Fatalf("want %d failure lines, got %s", len(bad), r)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, name+": "+bad[i]+": ") || strings.Count(l, bad[i]) != 1 {
			t.Errorf("line %q: want %q then the reason, naming the input once", l, name+": "+bad[i]+": ")
		}
	}
}

// PhotoPNG writes testimg.Photo, a colour picture with the statistics of
// an outdoor photograph, as a w×h PNG in dir and returns its path.
func PhotoPNG(t testing.TB, dir string, w, h int) string {
	t.Helper()
	px := testimg.Photo(3, h, w, 1)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			at := func(c int) uint8 { return uint8(px[(c*h+y)*w+x] + 0.5) }
			img.SetRGBA(x, y, color.RGBA{at(0), at(1), at(2), 255})
		}
	}
	path := filepath.Join(dir, "photo.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// DropTensor writes to dst a copy of the safetensors data src without
// the header entry of one tensor (the first one whose name starts with
// prefix), its bytes left where they were, as a file edited by hand or
// written by a tool that lost a tensor looks; it returns the tensor's
// name.
func DropTensor(t testing.TB, src []byte, dst, prefix string) string {
	t.Helper()
	n := binary.LittleEndian.Uint64(src[:8])
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(src[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	name := ""
	for k := range hdr {
		if k != "__metadata__" && strings.HasPrefix(k, prefix) && (name == "" || k < name) {
			name = k
		}
	}
	if name == "" {
		t.Fatalf("no tensor starts with %q", prefix)
	}
	delete(hdr, name)
	b, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	out := append(binary.LittleEndian.AppendUint64(nil, uint64(len(b))), b...)
	if err := os.WriteFile(dst, append(out, src[8+n:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// InDomain returns the in_domain value of each NDJSON line of stdout,
// -1 where it is null or absent.
func InDomain(t testing.TB, stdout string) []float64 {
	t.Helper()
	var out []float64
	for _, l := range Lines(stdout) {
		var rec struct {
			InDomain *float64 `json:"in_domain"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		v := -1.0
		if rec.InDomain != nil {
			v = *rec.InDomain
		}
		out = append(out, v)
	}
	return out
}

// WarnedOnce checks that stderr holds exactly one domain warning line,
// "name: warning: N input(s) look(s) unlike the training data (...)".
func WarnedOnce(t testing.TB, stderr, name string, n int) {
	t.Helper()
	var warns []string
	for _, l := range Lines(stderr) {
		if strings.HasPrefix(l, name+": warning: ") {
			warns = append(warns, l)
		}
	}
	want := name + ": warning: " + map[bool]string{true: "1 input looks", false: itoa(n) + " inputs look"}[n == 1] + " unlike the training data ("
	if len(warns) != 1 || !strings.HasPrefix(warns[0], want) {
		t.Errorf("want one warning %q..., got %q", want, warns)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Failures returns the lines of stderr other than warnings ("name:
// warning: ..."): the one line per failed input, and any final error.
func Failures(stderr, name string) []string {
	var out []string
	for _, l := range Lines(stderr) {
		if !strings.HasPrefix(l, name+": warning: ") {
			out = append(out, l)
		}
	}
	return out
}

// NPZ reads the NumPy archive at path as `render --format npz` writes it:
// the .npy header (the dict literal) of every array by name, and the
// "meta" array's JSON decoded.
func NPZ(t testing.TB, path string) (headers map[string]string, meta map[string]any) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	headers = map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil || len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
			t.Fatalf("%s: %s is not a .npy array (%v)", path, f.Name, err)
		}
		n := int(binary.LittleEndian.Uint16(b[8:10]))
		name := strings.TrimSuffix(f.Name, ".npy")
		headers[name] = strings.TrimSpace(string(b[10 : 10+n]))
		if name == "meta" {
			var runes []rune
			for i := 10 + n; i+4 <= len(b); i += 4 {
				if r := rune(binary.LittleEndian.Uint32(b[i:])); r != 0 {
					runes = append(runes, r)
				}
			}
			if err := json.Unmarshal([]byte(string(runes)), &meta); err != nil {
				t.Fatalf("%s: meta: %v", path, err)
			}
		}
	}
	return headers, meta
}
