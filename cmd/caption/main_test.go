package main

import (
	"os"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
)

// bin is the caption binary, built once for all tests of this package.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	bin, cleanup = clitest.MustBuild(name)
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func TestCommon(t *testing.T) {
	want := []string{"COMING (not built yet):"}
	for _, p := range planned {
		want = append(want, p.Usage)
	}
	clitest.CheckCommon(t, bin, name, want...)
}

// A planned command is refused as a usage error that says it is coming,
// and it never pretends to produce output.
func TestPlannedCommandIsNotFaked(t *testing.T) {
	r := clitest.Run(t, bin, "describe", "x.png", "-o", t.TempDir()).Want(t, 2)
	if r.Stdout != "" || !strings.Contains(r.Stderr, "planned but not built yet") || len(clitest.Lines(r.Stderr)) != 1 {
		t.Fatalf("planned command: %s", r)
	}
}
