package clitest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// BatchInputs returns testdata images for a batch test, with broken
// files among them (a truncated PNG, a file that is no image): enough
// inputs for several to be in hand at once, and failure lines whose
// place in stderr shows the order. images is the testdata/images folder.
func BatchInputs(images string) []string {
	var in []string
	for _, n := range []string{"rgb.png", "gray.png", "truncated.png", "rgb.jpg", "paletted.png", "not-an-image.png", "cmyk.jpg", "alpha.png"} {
		in = append(in, filepath.Join(images, n))
	}
	return in
}

// CheckSameAtThreads runs a batch command at --threads 1, 2 and 3 and
// fails unless every run gives the same exit code, stdout and stderr, and
// writes the same files with the same bytes: a command that runs several
// inputs at once must print its lines in input order and compute each
// input as it would alone. args returns the command line for an output
// folder (the same path each time, emptied between runs); --threads N is
// appended to it.
func CheckSameAtThreads(t *testing.T, bin string, args func(out string) []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	type run struct {
		r     Result
		files map[string][]byte
	}
	var first run
	for i, n := range []int{1, 2, 3} {
		if err := os.RemoveAll(out); err != nil {
			t.Fatal(err)
		}
		a := append(args(out), "--threads", strconv.Itoa(n))
		cur := run{r: Run(t, bin, a...), files: readTree(t, out)}
		if i == 0 {
			if len(Lines(cur.r.Stdout)) < 2 {
				t.Fatalf("%v: want a batch with several result lines, got %s", a, cur.r)
			}
			first = cur
			continue
		}
		if cur.r != first.r {
			t.Errorf("--threads %d and 1 differ:\n%s\n--- at 1:\n%s", n, cur.r, first.r)
		}
		names := func(m map[string][]byte) []string {
			var s []string
			for k := range m {
				s = append(s, k)
			}
			slices.Sort(s)
			return s
		}
		if !slices.Equal(names(cur.files), names(first.files)) {
			t.Errorf("--threads %d wrote %q, --threads 1 %q", n, names(cur.files), names(first.files))
			continue
		}
		for name, b := range cur.files {
			if !bytes.Equal(b, first.files[name]) {
				t.Errorf("--threads %d and 1 wrote different %s", n, name)
			}
		}
	}
}

// readTree returns the files under dir by their path below it (none when
// dir does not exist).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}
