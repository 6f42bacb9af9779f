package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range entries {
		n = append(n, e.Name())
	}
	return n
}

func TestWrite(t *testing.T) {
	d := t.TempDir()
	p := filepath.Join(d, "out.txt")
	if err := Write(p, text("first")); err != nil {
		t.Fatal(err)
	}
	// A failing or panicking writer leaves the old content and no
	// temporary file.
	boom := errors.New("boom")
	if err := Write(p, func(w io.Writer) error { io.WriteString(w, "partial"); return boom }); !errors.Is(err, boom) {
		t.Errorf("got %v, want boom", err)
	}
	func() {
		defer func() { recover() }()
		Write(p, func(io.Writer) error { panic("writer bug") })
	}()
	if b, _ := os.ReadFile(p); string(b) != "first" {
		t.Errorf("content %q, want the old content", b)
	}
	if n := names(t, d); !slices.Equal(n, []string{"out.txt"}) {
		t.Errorf("folder holds %q, want only out.txt", n)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if err := Write(filepath.Join(d, "missing", "x"), text("")); err == nil {
		t.Error("a missing folder must be an error")
	}
	if len(live.files) != 0 {
		t.Errorf("%d temporary files still recorded", len(live.files))
	}
}

// A Set shows nothing until Commit, everything after it, and nothing
// after Abort or a failed Commit.
func TestSet(t *testing.T) {
	d := t.TempDir()
	a, b := filepath.Join(d, "a.txt"), filepath.Join(d, "b.txt")
	var s Set
	if err := s.Write(a, text("A")); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(b, text("B")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a); err == nil {
		t.Fatal("a staged file is visible before Commit")
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Abort() // nothing staged: a no-op
	if n := names(t, d); !slices.Equal(n, []string{"a.txt", "b.txt"}) {
		t.Fatalf("after Commit: %q", n)
	}

	// Abort drops what was staged, old files stay.
	s.Write(a, text("A2"))
	if err := s.Write(b, func(io.Writer) error { return errors.New("boom") }); err == nil {
		t.Fatal("a failing writer must fail Write")
	}
	s.Abort()
	if got, _ := os.ReadFile(a); string(got) != "A" {
		t.Errorf("after Abort a holds %q", got)
	}

	// A rename that fails (the target is a folder that is not empty)
	// takes back the files already renamed.
	c := filepath.Join(d, "c")
	os.MkdirAll(filepath.Join(c, "inside"), 0o755)
	s.Write(filepath.Join(d, "new.txt"), text("N"))
	s.Write(c, text("C"))
	if err := s.Commit(); err == nil {
		t.Fatal("Commit onto a folder must fail")
	}
	if n := names(t, d); !slices.Equal(n, []string{"a.txt", "b.txt", "c"}) {
		t.Fatalf("after a failed Commit: %q", n)
	}
	if len(live.files) != 0 {
		t.Errorf("%d temporary files still recorded", len(live.files))
	}
}

func TestTempName(t *testing.T) {
	o := Owner{Tool: "lpa", Space: "0123abcd", PID: 42, Start: 987}
	p := o.TempName(filepath.Join("out", "x.y-z.png"), 3)
	if want := filepath.Join("out", ".x.y-z.png.lpa-0123abcd-42-987-3.tmp"); p != want {
		t.Fatalf("TempName = %s, want %s", p, want)
	}
	if got, ok := parseTempName(filepath.Base(p)); !ok || got != o {
		t.Fatalf("parse %s = %+v, %v", p, got, ok)
	}
	for _, n := range []string{"x.png", ".x.png.tmp-123", ".x.png.tmp123", ".lpa-0123abcd-42-987-3.tmp",
		".x.lpa-0123abcd-0-987-3.tmp", ".x.lpa-0123abcg-42-987-3.tmp", ".x.-0123abcd-42-987-3.tmp", ".x.a-b-0123abcd-42-987-3.tmp"} {
		if _, ok := parseTempName(n); ok {
			t.Errorf("%s parsed as a temporary file", n)
		}
	}
	for arg0, want := range map[string]string{"/usr/bin/glimpse.test": "glimpse", "/x/my-tool.v2": "my_tool_v2", "": "attnkit"} {
		if got := toolName(arg0); got != want {
			t.Errorf("toolName(%q) = %q, want %q", arg0, got, want)
		}
	}
}

// deadPID returns the PID of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// Sweep removes this program's files whose writer is gone and keeps
// those of live writers, of other programs and of other PID spaces.
func TestSweep(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no process check on Windows: nothing is ever removed")
	}
	d := t.TempDir()
	me := Self()
	dead := me
	dead.PID, dead.Start = deadPID(t), 1
	other, far := dead, dead
	other.Tool, far.Space = me.Tool+"x", "ffffffff"
	keep := map[string]Owner{"live": me, "other-tool": other, "other-space": far}
	drop := map[string]Owner{"dead": dead}
	if me.Start != 0 {
		reused := me // a live PID that started at another time
		reused.Start++
		drop["reused"] = reused
	}
	for n, o := range keep {
		os.WriteFile(o.TempName(filepath.Join(d, n), 1), nil, 0o644)
	}
	for n, o := range drop {
		os.WriteFile(o.TempName(filepath.Join(d, n), 1), nil, 0o644)
	}
	os.WriteFile(filepath.Join(d, "plain.tmp"), nil, 0o644)
	removed := Sweep(d)
	if len(removed) != len(drop) {
		t.Errorf("removed %q, want the %d of %v", removed, len(drop), drop)
	}
	left := names(t, d)
	if len(left) != len(keep)+1 {
		t.Errorf("left %q", left)
	}
	for n, o := range keep {
		if _, err := os.Stat(o.TempName(filepath.Join(d, n), 1)); err != nil {
			t.Errorf("%s (%+v) was removed", n, o)
		}
	}
}

func TestStartTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("start times come from /proc")
	}
	st, ok := startTime(os.Getpid())
	if !ok || st == 0 || st != Self().Start {
		t.Fatalf("startTime = %d, %v; Self().Start = %d", st, ok, Self().Start)
	}
	if _, ok := startTime(deadPID(t)); ok {
		t.Error("a dead process has a start time")
	}
}

// Abandon removes the staged files of a process about to exit; it keeps
// the lock for good, so the test runs it in a child process.
func TestAbandon(t *testing.T) {
	if dir := os.Getenv("ATOMICFILE_ABANDON_DIR"); dir != "" {
		Write(filepath.Join(dir, "done.txt"), text("kept"))
		var s Set
		s.Write(filepath.Join(dir, "a.txt"), text("A"))
		s.Write(filepath.Join(dir, "b.txt"), text("B"))
		Abandon()
		os.Exit(0)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	d := t.TempDir()
	cmd := exec.Command(exe, "-test.run=^TestAbandon$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_ABANDON_DIR="+d)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if n := names(t, d); !slices.Equal(n, []string{"done.txt"}) {
		t.Errorf("after Abandon the folder holds %q", n)
	}
}

// TestSetConcurrentWrites stages files of one Set from several goroutines
// (as 'nonlocal attend' writes a filmstrip and a GIF side by side); CI
// runs it under the race detector.
func TestSetConcurrentWrites(t *testing.T) {
	d := t.TempDir()
	var s Set
	var wg sync.WaitGroup
	want := []string{}
	for i := range 8 {
		name := fmt.Sprintf("f%d.txt", i)
		want = append(want, name)
		wg.Go(func() {
			if err := s.Write(filepath.Join(d, name), text(name)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := names(t, d); !slices.Equal(n, want) {
		t.Fatalf("after Commit: %q", n)
	}
}
