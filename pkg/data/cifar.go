package data

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// CIFAR image geometry: 32×32 RGB stored planar, 1024 red bytes (rows top
// to bottom), then 1024 green, then 1024 blue.
const (
	CIFARSide       = 32
	CIFARImageBytes = 3 * CIFARSide * CIFARSide
)

// cifar10Classes are the CIFAR-10 names in label order, used when the
// folder has no batches.meta.txt.
var cifar10Classes = [...]string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// CIFAR holds images and labels read from the CIFAR binary format.
type CIFAR struct {
	Images        []uint8  // N × CIFARImageBytes, planar RGB
	Labels        []uint8  // CIFAR-10 class, or CIFAR-100 fine label
	CoarseLabels  []uint8  // CIFAR-100 superclass; nil for CIFAR-10
	Classes       []string // names of Labels, when known
	CoarseClasses []string // names of CoarseLabels, when known
}

// Len returns the number of images.
func (c *CIFAR) Len() int { return len(c.Labels) }

// Image returns the planar RGB bytes of image i (a view).
func (c *CIFAR) Image(i int) []uint8 {
	return c.Images[i*CIFARImageBytes : (i+1)*CIFARImageBytes : (i+1)*CIFARImageBytes]
}

// Float32 writes image i into dst as [3][32][32] values in [0, 1].
func (c *CIFAR) Float32(i int, dst []float32) {
	for j, p := range c.Image(i) {
		dst[j] = float32(p) * (1.0 / 255)
	}
}

// cifarFormat describes one of the two record layouts.
type cifarFormat struct {
	name       string
	labelBytes int // 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine)
	maxLabel   [2]uint8
}

var (
	cifar10Format  = cifarFormat{"CIFAR-10", 1, [2]uint8{9}}
	cifar100Format = cifarFormat{"CIFAR-100", 2, [2]uint8{19, 99}}
)

// ReadCIFAR10File reads one CIFAR-10 batch file: records of 1 label byte
// and 3072 pixel bytes.
func ReadCIFAR10File(path string) (*CIFAR, error) {
	return readCIFARFile(path, cifar10Format, &CIFAR{})
}

// ReadCIFAR100File reads one CIFAR-100 file: records of 1 coarse label
// byte, 1 fine label byte and 3072 pixel bytes.
func ReadCIFAR100File(path string) (*CIFAR, error) {
	return readCIFARFile(path, cifar100Format, &CIFAR{})
}

// readCIFARFile appends the records of path to c.
func readCIFARFile(path string, f cifarFormat, c *CIFAR) (*CIFAR, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	return decodeCIFAR(b, path, f, c)
}

// decodeCIFAR appends the records held in b to c; path is used in errors.
// Kept apart from the file reading so the record parser can be fuzzed on
// bytes alone.
func decodeCIFAR(b []byte, path string, f cifarFormat, c *CIFAR) (*CIFAR, error) {
	rec := f.labelBytes + CIFARImageBytes
	if len(b) == 0 || len(b)%rec != 0 {
		return nil, fmt.Errorf("%s %s: %d bytes is not a whole number of %d-byte records (truncated or not %s binary)",
			f.name, path, len(b), rec, f.name)
	}
	n := len(b) / rec
	c.Images = slices.Grow(c.Images, n*CIFARImageBytes)
	for i := 0; i < n; i++ {
		r := b[i*rec : (i+1)*rec]
		for k := 0; k < f.labelBytes; k++ {
			if r[k] > f.maxLabel[k] {
				return nil, fmt.Errorf("%s %s: record %d: label %d exceeds %d (not %s binary?)", f.name, path, i, r[k], f.maxLabel[k], f.name)
			}
		}
		if f.labelBytes == 2 {
			c.CoarseLabels = append(c.CoarseLabels, r[0])
		}
		c.Labels = append(c.Labels, r[f.labelBytes-1])
		c.Images = append(c.Images, r[f.labelBytes:]...)
	}
	return c, nil
}

// LoadCIFAR10 reads the "train" (data_batch_1.bin … data_batch_5.bin) or
// "test" (test_batch.bin) split from dir, which is the
// cifar-10-batches-bin folder or the folder holding it. Class names come
// from batches.meta.txt when present.
func LoadCIFAR10(dir, split string) (*CIFAR, error) {
	var files []string
	switch split {
	case "train":
		for i := 1; i <= 5; i++ {
			files = append(files, fmt.Sprintf("data_batch_%d.bin", i))
		}
	case "test":
		files = []string{"test_batch.bin"}
	default:
		return nil, fmt.Errorf("CIFAR-10: unknown split %q (want train or test)", split)
	}
	dir = cifarDir(dir, "cifar-10-batches-bin", files[0])
	c := &CIFAR{}
	for _, name := range files {
		if _, err := readCIFARFile(filepath.Join(dir, name), cifar10Format, c); err != nil {
			return nil, err
		}
	}
	c.Classes = readNames(filepath.Join(dir, "batches.meta.txt"))
	if c.Classes == nil {
		c.Classes = cifar10Classes[:]
	}
	return c, nil
}

// LoadCIFAR100 reads the "train" (train.bin) or "test" (test.bin) split
// from dir, which is the cifar-100-binary folder or the folder holding it.
// Class names come from fine_label_names.txt and coarse_label_names.txt
// when present.
func LoadCIFAR100(dir, split string) (*CIFAR, error) {
	if split != "train" && split != "test" {
		return nil, fmt.Errorf("CIFAR-100: unknown split %q (want train or test)", split)
	}
	name := split + ".bin"
	dir = cifarDir(dir, "cifar-100-binary", name)
	c, err := readCIFARFile(filepath.Join(dir, name), cifar100Format, &CIFAR{})
	if err != nil {
		return nil, err
	}
	c.Classes = readNames(filepath.Join(dir, "fine_label_names.txt"))
	c.CoarseClasses = readNames(filepath.Join(dir, "coarse_label_names.txt"))
	return c, nil
}

// cifarDir accepts either the archive's folder or its parent.
func cifarDir(dir, sub, probe string) string {
	if _, err := os.Stat(filepath.Join(dir, probe)); err != nil {
		if _, err := os.Stat(filepath.Join(dir, sub, probe)); err == nil {
			return filepath.Join(dir, sub)
		}
	}
	return dir
}

// readNames returns the non-empty lines of a names file, or nil if it
// cannot be read.
func readNames(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return names
}
