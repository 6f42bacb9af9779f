//go:build linux

package main

// End-to-end tests of what an interruption leaves behind, with real
// processes and signals. Linux only: the attend test holds a FIFO open
// read-write and watches /proc to know when the tool is inside an input.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attnkit/attn/internal/clitest"
	"github.com/attnkit/attn/pkg/atomicfile"
)

// SIGTERM during attend over a folder: the inputs in hand are finished,
// no other is started, each input has all six pictures or none, no
// temporary file stays, and the exit code is 143 with one line saying how
// far it got. With --threads 2 two inputs are in hand at once: b and c,
// both waiting on a FIFO, when the signal comes.
func TestAttendSIGTERM(t *testing.T) {
	for _, c := range []struct {
		threads string
		fifos   []string
	}{{"1", []string{"c"}}, {"2", []string{"b", "c"}}} {
		t.Run("threads="+c.threads, func(t *testing.T) { attendSIGTERM(t, c.threads, c.fifos) })
	}
}

func attendSIGTERM(t *testing.T, threads string, fifos []string) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(filepath.Join(images, "rgb.png"))
	if err != nil {
		t.Fatal(err)
	}
	// The FIFOs' reads wait until the test has signalled, so the signal
	// lands while those inputs are in hand.
	var ws []*os.File
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		path := filepath.Join(in, n+".png")
		if !slices.Contains(fifos, n) {
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skip("no FIFO:", err)
		}
		// Held read-write (Linux allows it), the FIFO opens at once for
		// the tool and takes the test's write without blocking.
		w, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		ws = append(ws, w)
	}

	p := clitest.Start(t, bin, "attend", "--model", tinyModel(t, true), "--display", "0", "--threads", threads, "-o", out, in)
	for _, n := range fifos {
		waitOpen(t, p.PID(), filepath.Join(in, n+".png"))
	}
	p.Signal(t, syscall.SIGTERM)
	for _, w := range ws {
		if _, err := w.Write(png); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	r := p.Wait(t).Want(t, 143)

	if r.Stderr != "lpa: interrupted: 3 of 5 inputs done\n" {
		t.Errorf("stderr %q", r.Stderr)
	}
	lines := clitest.Lines(r.Stdout)
	if len(lines) != 3 {
		t.Fatalf("stdout:\n%s", r.Stdout)
	}
	for i, n := range []string{"a", "b", "c"} {
		if !strings.HasPrefix(lines[i], filepath.Join(in, n+".png")+"\t") {
			t.Errorf("line %d is not %s's:\n%s", i+1, n, r.Stdout)
		}
	}
	var want []string
	for _, n := range []string{"a", "b", "c"} {
		for _, l := range []string{"level1", "level2", "level3"} {
			want = append(want, n+"_attn_"+l+".png", n+"_attn_"+l+"_raw.png")
		}
	}
	slices.Sort(want)
	if got := names(t, out); !slices.Equal(got, want) {
		t.Errorf("output folder holds %q, want %q", got, want)
	}
}

// A second signal ends the process at once, even inside an input: the
// input in hand leaves nothing, the finished ones keep their pictures.
func TestAttendSecondSignal(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.Mkdir(in, 0o755)
	png, err := os.ReadFile(filepath.Join(images, "rgb.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "a.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(in, "b.png") // never written: b is in hand for good
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// One thread: a is finished before b is opened.
	p := clitest.Start(t, bin, "attend", "--model", tinyModel(t, true), "--display", "0", "--threads", "1", "-o", out, in)
	waitOpen(t, p.PID(), fifo)
	// Two different signals, since the kernel merges a pending signal
	// with another of its kind; the second one sets the exit code.
	p.Signal(t, syscall.SIGTERM)
	p.Signal(t, syscall.SIGINT)
	r := p.Wait(t)
	if r.Code != 130 && r.Code != 143 || r.Stderr != "lpa: interrupted again: stopped at once\n" {
		t.Fatalf("want exit 130 or 143 and one line, got %s", r)
	}
	want := []string{"a_attn_level1.png", "a_attn_level1_raw.png", "a_attn_level2.png", "a_attn_level2_raw.png", "a_attn_level3.png", "a_attn_level3_raw.png"}
	if got := names(t, out); !slices.Equal(got, want) {
		t.Errorf("output folder holds %q, want %q", got, want)
	}
}

// waitOpen waits until process pid has path open (a file descriptor in
// /proc/PID/fd links to it).
func waitOpen(t *testing.T, pid int, path string) {
	t.Helper()
	fds := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	for start := time.Now(); time.Since(start) < clitest.Patience; time.Sleep(5 * time.Millisecond) {
		entries, _ := os.ReadDir(fds)
		for _, e := range entries {
			if l, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && l == path {
				return
			}
		}
	}
	t.Fatalf("process %d never opened %s", pid, path)
}

// A run removes the temporary files its own tool left in the output
// folder when their writer is gone (the process exited, or its PID now
// names a process that started at another time), and keeps those of a
// live writer and of another tool.
func TestStaleTempFiles(t *testing.T) {
	me := atomicfile.Self() // this test binary, lpa.test, writes as "lpa"
	if me.Tool != name || me.Start == 0 {
		t.Skipf("the test process is %+v", me)
	}
	out := t.TempDir()
	dead, reused, other := me, me, me
	dead.PID = deadPID(t)
	reused.Start++
	other.PID, other.Tool = dead.PID, "glimpse"
	stale := []string{dead.TempName(filepath.Join(out, "x.png"), 1), reused.TempName(filepath.Join(out, "y.png"), 1)}
	kept := []string{me.TempName(filepath.Join(out, "z.png"), 1), other.TempName(filepath.Join(out, "x.png"), 1)}
	for _, f := range append(slices.Clone(stale), kept...) {
		if err := os.WriteFile(f, []byte("half a picture"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clitest.Run(t, bin, "attend", "--model", tinyModel(t, true), "--display", "0", "-o", out, filepath.Join(images, "rgb.png")).Want(t, 0)
	for _, f := range stale {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("stale %s was kept", filepath.Base(f))
		}
	}
	for _, f := range kept {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed", filepath.Base(f))
		}
	}
}

// deadPID returns the PID of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(bin, "version")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
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
