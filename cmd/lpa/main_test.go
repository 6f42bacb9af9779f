package main

import (
	"os"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
)

// bin is the lpa binary, built once for all tests of this package.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	bin, cleanup = clitest.MustBuild(name)
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func TestCommon(t *testing.T) {
	clitest.CheckCommon(t, bin, name, "EXAMPLES:", "train", "eval", "attend", "segment", "ablate")
}
