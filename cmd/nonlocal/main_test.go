package main

import (
	"os"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
)

// bin is the nonlocal binary, built once for all tests of this package.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	bin, cleanup = clitest.MustBuild(name)
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func TestCommon(t *testing.T) {
	want := []string{"denoise", "train", "attend", "ablate", "nonlocal denoise noisy.png -o out/"}
	for _, p := range planned {
		want = append(want, p.Usage)
	}
	clitest.CheckCommon(t, bin, name, want...)
}
