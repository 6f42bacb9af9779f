package cliutil

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/urfave/cli/v2"
)

func TestPrepareOutDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.png")
	os.WriteFile(file, []byte("x"), 0o644)
	readOnly := clitest.ReadOnlyDir(t)
	for _, c := range []struct {
		name, dir, want string
		is              error
	}{
		{"a regular file", file, "-o " + file + ": exists and is not a folder", nil},
		{"under a regular file", filepath.Join(file, "sub"), "-o " + filepath.Join(file, "sub") + ": cannot create the folder: not a directory", nil},
		{"read-only", readOnly, "-o " + readOnly + ": cannot write in the folder: ", nil},
		{"under a read-only folder", filepath.Join(readOnly, "new"), "-o " + filepath.Join(readOnly, "new") + ": cannot create the folder: ", nil},
	} {
		err := PrepareOutDir(c.dir)
		var od *OutDirError
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || ExitCode(err) != ExitUsage || !errors.As(err, &od) {
			t.Errorf("%s: got %v (exit %d), want %q...", c.name, err, ExitCode(err), c.want)
		}
	}
	// A missing folder is created, parents too; an existing one is kept,
	// and the probe file does not stay behind.
	out := filepath.Join(dir, "a", "b")
	for range 2 {
		if err := PrepareOutDir(out); err != nil {
			t.Fatal(err)
		}
	}
	if entries, err := os.ReadDir(out); err != nil || len(entries) != 0 {
		t.Fatalf("%s: %v %v", out, entries, err)
	}
	if err := PrepareOutDir(readOnly); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("errors.Is(%v, fs.ErrPermission) is false", err)
	}
}

// An output folder problem is one line on stderr and exit 2, without the
// hint to read --help that a malformed flag gets.
func TestOutDirErrorOneLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	app := NewApp("t", "", "", []*cli.Command{{Name: "x", Flags: InputFlags(),
		Action: func(c *cli.Context) error { return PrepareOutDir(c.String(FlagOut)) }}})
	var stderr bytes.Buffer
	if code := Run(app, []string{"t", "x", "-o", file}, &stderr); code != ExitUsage {
		t.Fatalf("exit %d", code)
	}
	if got, want := stderr.String(), "t: -o "+file+": exists and is not a folder\n"; got != want {
		t.Fatalf("stderr %q, want %q", got, want)
	}
}

// --threads reaches the matrix products, and a count below 1 is a usage
// error.
func TestApplyThreads(t *testing.T) {
	defer gemm.SetThreads(0)
	var got int
	app := NewApp("t", "", "", []*cli.Command{{Name: "x", Flags: []cli.Flag{ThreadsFlag()},
		Action: func(c *cli.Context) (err error) { got, err = ApplyThreads(c); return err }}})
	var stderr bytes.Buffer
	if code := Run(app, []string{"t", "x", "--threads", "3"}, &stderr); code != 0 || got != 3 || gemm.Threads() != 3 {
		t.Fatalf("exit %d, ApplyThreads %d, gemm.Threads() %d: %s", code, got, gemm.Threads(), stderr.String())
	}
	if code := Run(app, []string{"t", "x", "--threads", "0"}, &stderr); code != ExitUsage || !strings.Contains(stderr.String(), "--threads 0: want at least 1") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

func TestWarn(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var stderr bytes.Buffer
		app := NewApp("t", "", "", []*cli.Command{{Name: "x", Flags: OutputFlags(),
			Action: func(c *cli.Context) error { Warn(c, "%d inputs look odd", 2); return nil }}})
		app.ErrWriter = &stderr
		args := []string{"t", "x"}
		if quiet {
			args = append(args, "--quiet")
		}
		if code := Run(app, args, &stderr); code != 0 {
			t.Fatalf("exit %d", code)
		}
		want := "t: warning: 2 inputs look odd\n"
		if quiet {
			want = ""
		}
		if stderr.String() != want {
			t.Errorf("quiet=%v: stderr %q, want %q", quiet, stderr.String(), want)
		}
	}
}
