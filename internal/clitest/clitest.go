// Package clitest runs the toolkit's command-line programs end to end in
// tests: it builds a real binary once per test package and runs it as a
// user would, with arguments, stdin and a working folder, returning its
// stdout, stderr and exit code.
//
// Typical use in a cmd package:
//
//	var bin string
//
//	func TestMain(m *testing.M) {
//		var cleanup func()
//		bin, cleanup = clitest.MustBuild("glimpse")
//		code := m.Run()
//		cleanup()
//		os.Exit(code)
//	}
package clitest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// MustBuild compiles the main package in the current folder (a test's
// working folder is its package folder) into a fresh temporary folder as
// name, and returns the binary's path and a function that removes it. It
// exits the test process when the build fails, since no test of a CLI can
// run without its binary.
func MustBuild(name string) (bin string, cleanup func()) {
	bin, cleanup, err := Build(".", name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return bin, cleanup
}

// Build compiles the main package pkg (a folder or import path) as name
// in a temporary folder.
func Build(pkg, name string) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "attnkit-cli-*")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin = filepath.Join(dir, name)
	args := []string{"build", "-o", bin}
	if len(buildTags) > 0 {
		args = append(args, "-tags", strings.Join(buildTags, ","))
	}
	cmd := exec.Command(goTool(), append(args, pkg)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin, cleanup, nil
}

// buildTags are the build tags of the test binary that select kernels
// (purego, noasm); the binaries under test get the same ones.
var buildTags []string

// goTool finds the go command: the one on PATH, else the one of the
// toolchain running the test.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// Result is what one run of a binary produced.
type Result struct {
	Stdout, Stderr string
	Code           int // exit code; -1 when the process did not exit normally
}

// Lines returns the non-empty lines of s.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// String summarises the run for failure messages.
func (r Result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// Cmd describes one invocation.
type Cmd struct {
	Dir   string // working folder; "" for the test's own
	Stdin string
	Env   []string // extra KEY=VALUE entries
}

// Run runs bin with args and no stdin.
func Run(t testing.TB, bin string, args ...string) Result {
	t.Helper()
	return Cmd{}.Run(t, bin, args...)
}

// Run runs bin with args as c describes.
func (c Cmd) Run(t testing.TB, bin string, args ...string) Result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.Dir
	cmd.Stdin = strings.NewReader(c.Stdin)
	cmd.Env = append(os.Environ(), c.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("run %s %v: %v", bin, args, err)
	}
	return r
}

// Want fails the test unless the run exited with code.
func (r Result) Want(t testing.TB, code int) Result {
	t.Helper()
	if r.Code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
	return r
}

// CheckCommon tests what every tool shares: `version`, `completion` for
// the three shells (and exit 2 for another), `--help` with an EXAMPLES
// section that mentions each of wantInHelp, a bare run showing help, and
// exit 2 with one explanation for an unknown command or flag.
func CheckCommon(t *testing.T, bin, name string, wantInHelp ...string) {
	t.Run("version", func(t *testing.T) {
		r := Run(t, bin, "version").Want(t, 0)
		if !strings.HasPrefix(r.Stdout, name+" ") || !strings.Contains(r.Stdout, runtime.Version()) || len(Lines(r.Stdout)) != 1 {
			t.Fatalf("version output: %q", r.Stdout)
		}
	})
	t.Run("completion", func(t *testing.T) {
		r := Run(t, bin, "completion", "bash").Want(t, 0)
		if !strings.Contains(r.Stdout, "complete -o filenames -F _"+name+"_complete "+name) {
			t.Fatalf("bash completion: %q", r.Stdout)
		}
		r = Run(t, bin, "completion", "zsh").Want(t, 0)
		if !strings.Contains(r.Stdout, "bashcompinit") {
			t.Fatalf("zsh completion: %q", r.Stdout)
		}
		r = Run(t, bin, "completion", "fish").Want(t, 0)
		if !strings.Contains(r.Stdout, "complete -c "+name) {
			t.Fatalf("fish completion: %q", r.Stdout)
		}
		Run(t, bin, "completion", "tcsh").Want(t, 2)
		// The hidden flag the bash script calls lists the commands.
		r = Run(t, bin, "--generate-bash-completion").Want(t, 0)
		if !strings.Contains(r.Stdout, "version") || !strings.Contains(r.Stdout, "completion") {
			t.Fatalf("--generate-bash-completion: %q", r.Stdout)
		}
	})
	t.Run("help", func(t *testing.T) {
		for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {}} {
			r := Run(t, bin, args...).Want(t, 0)
			for _, w := range append([]string{"USAGE:", "DESCRIPTION:", "EXAMPLES:", "version", "completion"}, wantInHelp...) {
				if !strings.Contains(r.Stdout, w) {
					t.Fatalf("%s %v does not mention %q:\n%s", name, args, w, r.Stdout)
				}
			}
		}
	})
	t.Run("usage-errors", func(t *testing.T) {
		for _, args := range [][]string{{"no-such-command"}, {"--no-such-flag"}, {"version", "--no-such-flag"}} {
			r := Run(t, bin, args...).Want(t, 2)
			if r.Stdout != "" || !strings.HasPrefix(r.Stderr, name+": ") {
				t.Fatalf("%v: %s", args, r)
			}
		}
	})
}
