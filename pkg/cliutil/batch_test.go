package cliutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/attnkit/attn/pkg/gemm"
)

// counter is a worker's own state: its count is not synchronised, so the
// race detector catches two goroutines sharing one.
type counter struct{ n int }

// Lines and failures come out in input order, whatever order the workers
// finish in, and the same bytes at any worker count; a panic is one
// input's failure; each worker uses its own state alone.
func TestForEachParallelOrder(t *testing.T) {
	inputs := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	run := func(workers int) (stdout, stderr string, made int, err error) {
		var out, errb bytes.Buffer
		var mu sync.Mutex
		b := Batch{Tool: "tool", Stderr: &errb, Printer: NewPrinter(&out, false), Workers: workers}
		newWorker := func() *counter { mu.Lock(); made++; mu.Unlock(); return &counter{} }
		err = ForEachParallel(context.Background(), inputs, b, newWorker, func(w *counter, in string) ([]Line, error) {
			w.n++
			// Early inputs take longest, so later ones finish first.
			time.Sleep(time.Duration('h'-in[0]) * time.Millisecond)
			switch in {
			case "c":
				return nil, errors.New("c: truncated PNG")
			case "f":
				panic("boom")
			case "d":
				return nil, nil // no line
			case "g":
				return []Line{{{Key: "path", Value: in}, {Key: "n", Value: 1}}, {{Key: "path", Value: in}, {Key: "n", Value: 2}}}, nil
			}
			return []Line{{{Key: "path", Value: in}}}, nil
		})
		return out.String(), errb.String(), made, err
	}
	wantOut := "a\nb\ne\ng\t1\ng\t2\nh\n"
	for _, workers := range []int{1, 3, 8, 20} {
		stdout, stderr, made, err := run(workers)
		if stdout != wantOut {
			t.Errorf("%d workers: stdout %q, want %q", workers, stdout, wantOut)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 2 || lines[0] != "tool: c: truncated PNG" || !strings.HasPrefix(lines[1], "tool: f: internal error (please report): boom") {
			t.Errorf("%d workers: stderr %q", workers, stderr)
		}
		var pe *PartialError
		if !errors.As(err, &pe) || *pe != (PartialError{Failed: 2, Total: 8}) {
			t.Errorf("%d workers: error %v", workers, err)
		}
		if want := min(workers, len(inputs)); made != want {
			t.Errorf("%d workers: %d worker states made, want %d", workers, made, want)
		}
	}
}

// Workers really run side by side: with 4 workers, 4 inputs that each
// wait for all four to have started finish.
func TestForEachParallelConcurrent(t *testing.T) {
	var started sync.WaitGroup
	started.Add(4)
	b := Batch{Tool: "tool", Stderr: &bytes.Buffer{}, Workers: 4}
	done := make(chan error)
	go func() {
		done <- ForEachParallel(context.Background(), []string{"a", "b", "c", "d"}, b, NoState, func(struct{}, string) ([]Line, error) {
			started.Done()
			started.Wait()
			return nil, nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the inputs did not run at once")
	}
}

// A signal while inputs are in hand: they finish and print, no later
// input starts, and the count names exactly those: a prefix of the list.
func TestForEachParallelInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var out, errb bytes.Buffer
	var startedC, startedD sync.WaitGroup
	startedC.Add(1)
	startedD.Add(1)
	var ran sync.Map
	b := Batch{Tool: "tool", Stderr: &errb, Printer: NewPrinter(&out, false), Workers: 2}
	err := ForEachParallel(ctx, []string{"a", "b", "c", "d", "e", "f"}, b, NoState, func(_ struct{}, in string) ([]Line, error) {
		ran.Store(in, true)
		switch in {
		case "b":
			return nil, errors.New("bad")
		case "c":
			// c is in hand with d: the signal comes while both run.
			startedC.Done()
			startedD.Wait()
			cancel(&Interrupted{Signal: syscall.SIGTERM})
		case "d":
			startedD.Done()
			startedC.Wait()
			time.Sleep(20 * time.Millisecond) // still in hand after the signal
		}
		return []Line{{{Key: "path", Value: in}}}, nil
	})
	var in *Interrupted
	if !errors.As(err, &in) || in.Done != "4 of 6 inputs done (1 failed)" || ExitCode(err) != 143 {
		t.Fatalf("got %v (exit %d)", err, ExitCode(err))
	}
	if out.String() != "a\nc\nd\n" || errb.String() != "tool: b: bad\n" {
		t.Fatalf("stdout %q, stderr %q", out.String(), errb.String())
	}
	for _, n := range []string{"e", "f"} {
		if _, ok := ran.Load(n); ok {
			t.Errorf("%s started after the signal", n)
		}
	}
}

// The memory budget is shared: inputs whose estimates do not fit
// together wait for each other, so at most budget/need of them are in
// hand; an input over the budget alone does not wait (it is refused as
// it is read).
func TestForEachParallelMemory(t *testing.T) {
	for _, c := range []struct {
		need        map[string]int64
		budget      int64
		workers     int
		maxInFlight int
	}{
		{map[string]int64{}, 10, 4, 4},                                   // no estimates: every worker busy
		{map[string]int64{"a": 6, "b": 6, "c": 6, "d": 6}, 10, 4, 1},     // one at a time
		{map[string]int64{"a": 3, "b": 3, "c": 3, "d": 3}, 10, 4, 3},     // three fit
		{map[string]int64{"a": 60, "b": 60, "c": 60, "d": 60}, 10, 4, 4}, // each refused alone: no waiting
	} {
		var inFlight, most atomic.Int64
		b := Batch{Tool: "tool", Stderr: &bytes.Buffer{}, Workers: c.workers, Budget: c.budget,
			Memory: func(p string) int64 { return c.need[p] }}
		err := ForEachParallel(context.Background(), []string{"a", "b", "c", "d"}, b, NoState, func(struct{}, string) ([]Line, error) {
			n := inFlight.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(30 * time.Millisecond)
			inFlight.Add(-1)
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// At most: a loaded machine may never put them all in hand.
		if got := int(most.Load()); got > c.maxInFlight || c.maxInFlight == 1 && got != 1 {
			t.Errorf("needs %v, budget %d: %d inputs in hand at once, want at most %d", c.need, c.budget, got, c.maxInFlight)
		}
	}
}

func TestBatchThreads(t *testing.T) {
	defer gemm.SetThreads(0)
	for _, c := range []struct{ threads, inputs, workers, each int }{
		{1, 500, 1, 1}, {2, 500, 2, 1}, {4, 2, 2, 2}, {5, 2, 2, 2}, {3, 1, 1, 3}, {2, 0, 1, 2},
	} {
		w, e := BatchThreads(c.threads, c.inputs)
		if w != c.workers || e != c.each || gemm.Threads() != c.each {
			t.Errorf("BatchThreads(%d, %d) = %d, %d (gemm %d), want %d, %d", c.threads, c.inputs, w, e, gemm.Threads(), c.workers, c.each)
		}
	}
}

func ExampleForEachParallel() {
	var out bytes.Buffer
	b := Batch{Tool: "tool", Stderr: &out, Printer: NewPrinter(&out, false), Workers: 2}
	// A worker's state (here a buffer it reuses) is its own.
	newWorker := func() *strings.Builder { return &strings.Builder{} }
	ForEachParallel(context.Background(), []string{"x", "y", "z"}, b, newWorker, func(sb *strings.Builder, in string) ([]Line, error) {
		sb.Reset()
		sb.WriteString(strings.ToUpper(in))
		return []Line{{{Key: "path", Value: in}, {Key: "upper", Value: sb.String()}}}, nil
	})
	fmt.Print(out.String())
	// Output:
	// x	X
	// y	Y
	// z	Z
}

// TestAsync: the wait gives fn's error, the same on every call, and a
// panic in fn comes back as an error naming an internal error.
func TestAsync(t *testing.T) {
	boom := errors.New("boom")
	wait := Async(func() error { return boom })
	if err := wait(); err != boom || wait() != boom {
		t.Fatalf("wait() = %v, want %v twice", err, boom)
	}
	if err := Async(func() error { return nil })(); err != nil {
		t.Fatalf("wait() = %v, want nil", err)
	}
	err := Async(func() error { panic("bug") })()
	if err == nil || !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), "bug") {
		t.Fatalf("a panic gave %v", err)
	}
}
