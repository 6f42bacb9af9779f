package cliutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/attnkit/attn/pkg/imageio"
)

// ForEach runs fn on every input in order. A failing input prints one line
// on stderr, "tool: path: reason", and the others still run; the bar
// advances once per input. It returns a PartialError when any failed. A
// panic inside fn is recovered and reported as that input's failure, so
// one bad file never takes the batch down. Once ctx is done (a signal,
// see Interruptible) it starts no further input and returns an
// *Interrupted saying how many were done: fn is to write each input's
// files as one atomicfile.Set, so an input has all its files or none.
// It suits a command without --threads; one that runs a model over its
// inputs uses ForEachParallel.
func ForEach(ctx context.Context, inputs []string, stderr io.Writer, tool string, bar *Progress, fn func(path string) error) error {
	b := Batch{Tool: tool, Stderr: stderr, Bar: bar, Workers: 1}
	return ForEachParallel(ctx, inputs, b, NoState, func(_ struct{}, in string) ([]Line, error) {
		return nil, fn(in)
	})
}

// NoState is the newWorker of ForEachParallel for a command whose work on
// an input keeps no state between calls (it makes its tape per input).
func NoState() struct{} { return struct{}{} }

// Line is one result line on stdout, its fields in order.
type Line []Field

// Batch says how ForEachParallel runs a command's inputs and reports on
// them.
type Batch struct {
	Tool    string    // the first word of every failure line
	Stderr  io.Writer // the failure lines
	Printer *Printer  // the result lines; nil when fn returns none
	Bar     *Progress // advanced once per input; nil for none
	// Workers is how many inputs are in hand at once (see BatchThreads);
	// below 1 counts as 1.
	Workers int
	// Memory, when set, estimates what an input needs against
	// --max-memory (see ImageMemory), and Budget is that limit: with more
	// than one worker, an input whose estimate would take the inputs in
	// hand over Budget waits until enough of them finish. So W inputs in
	// flight never need together more than one input may alone, and
	// every input is accepted or refused as with one worker: the budget
	// is not divided, the number in flight is lowered while big inputs
	// are in hand.
	Memory func(path string) int64
	Budget int64
}

// ForEachParallel runs fn on every input, on b.Workers goroutines at once,
// each with its own state from newWorker (a tape, buffers: whatever fn
// must not share), made once per goroutine before any input starts.
// It keeps ForEach's guarantees, whatever the worker count:
//
//   - fn's result lines, and the one stderr line "tool: path: reason" of
//     an input that fails (or panics, recovered), come out in input
//     order: a worker hands its lines to the calling goroutine, which
//     holds them until those of every earlier input are out. The same
//     inputs therefore print the same bytes at any worker count.
//   - Inputs are handed out in order, each to the first free worker.
//     Once ctx is done (a signal) no further input starts, the ones in
//     hand finish, and it returns an
//     *Interrupted saying how many were done: those form a prefix of
//     inputs, and each has its result line and (fn writing them as one
//     atomicfile.Set) all its files; the others have neither.
//   - The bar advances once per finished input; it returns a
//     PartialError when any failed.
//
// fn is to commit an input's files before it returns its lines.
func ForEachParallel[W any](ctx context.Context, inputs []string, b Batch, newWorker func() W, fn func(w W, path string) ([]Line, error)) error {
	n := len(inputs)
	workers := min(max(b.Workers, 1), max(n, 1))
	type result struct {
		i     int
		lines []Line
		err   error
	}
	f := &feeder{ctx: ctx, inputs: inputs, memory: b.Memory}
	if workers > 1 && b.Memory != nil && b.Budget > 0 {
		f.gate = newMemoryGate(b.Budget)
	}
	// Buffered so that a worker never waits for the printer: the workers
	// alone set the pace.
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		w := newWorker()
		wg.Go(func() {
			for {
				i, need, ok := f.take()
				if !ok {
					return
				}
				lines, err := safeCall(inputs[i], func(in string) ([]Line, error) { return fn(w, in) })
				f.gate.release(need)
				results <- result{i, lines, err}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	failed, next := 0, 0
	held := map[int]result{} // finished ahead of an earlier input
	for r := range results {
		if b.Bar != nil {
			b.Bar.Add(1)
		}
		held[r.i] = r
		for {
			r, ok := held[next]
			if !ok {
				break
			}
			delete(held, next)
			if err := b.emit(r.lines, r.err); err != nil {
				failed++
				fmt.Fprintln(b.Stderr, FailureLine(b.Tool, inputs[r.i], err))
			}
			next++
		}
	}
	// Every worker has returned: no input is in hand, f.next is final.
	if done := f.next; done < n {
		return Stopped(ctx, "%d of %d inputs done%s", done, n, failedNote(failed))
	}
	if failed > 0 {
		return &PartialError{Failed: failed, Total: n}
	}
	return nil
}

// emit prints an input's result lines, or passes on its failure; a line
// that cannot be written (stdout closed) fails the input as in the
// sequential loop.
func (b *Batch) emit(lines []Line, err error) error {
	if err != nil {
		return err
	}
	for _, l := range lines {
		if b.Printer == nil {
			return fmt.Errorf("internal error (please report): %d result lines and no printer", len(lines))
		}
		if err := b.Printer.Print(l...); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	return nil
}

// feeder hands out the inputs in order to workers asking for one.
type feeder struct {
	ctx    context.Context
	inputs []string
	memory func(string) int64
	gate   *memoryGate // nil: no memory budget to share

	mu   sync.Mutex
	next int // the first input not handed out
}

// take returns the next input to start and what it reserved of the
// memory budget; ok is false once none is left or ctx is done. A worker
// asks only when it is free, so with one worker ctx is checked right
// before each input, as a sequential loop would. It hands out under one
// lock, even while waiting for memory, so that no input overtakes a big
// one waiting for the others to finish: the inputs started are always a
// prefix of the list.
func (f *feeder) take() (i int, need int64, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next >= len(f.inputs) || f.ctx.Err() != nil {
		return 0, 0, false
	}
	if f.gate != nil {
		need = f.gate.estimate(f.memory, f.inputs[f.next])
		if !f.gate.acquire(f.ctx, need) {
			return 0, 0, false
		}
	}
	f.next++
	return f.next - 1, need, true
}

func failedNote(failed int) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d failed)", failed)
}

// memoryGate keeps the estimates of the inputs in hand within a budget.
type memoryGate struct {
	budget int64
	mu     sync.Mutex
	used   int64
	freed  chan struct{} // a token after a release, for a waiting acquire
}

func newMemoryGate(budget int64) *memoryGate {
	return &memoryGate{budget: budget, freed: make(chan struct{}, 1)}
}

// estimate is what to reserve for path: its estimate, or nothing for an
// input that will be refused before it allocates anything (over the
// budget alone) and so need not wait for the others.
func (g *memoryGate) estimate(memory func(string) int64, path string) int64 {
	e := memory(path)
	if e <= 0 || e > g.budget {
		return 0
	}
	return e
}

// acquire reserves need bytes, waiting while others hold too much of the
// budget; it always admits an input when nothing else is in hand. It
// returns false, reserving nothing, if ctx ends first.
func (g *memoryGate) acquire(ctx context.Context, need int64) bool {
	for {
		g.mu.Lock()
		if g.used == 0 || g.used+need <= g.budget {
			g.used += need
			g.mu.Unlock()
			return true
		}
		g.mu.Unlock()
		select {
		case <-g.freed:
		case <-ctx.Done():
			return false
		}
	}
}

// release returns need bytes; a nil gate has nothing to return.
func (g *memoryGate) release(need int64) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.used -= need
	g.mu.Unlock()
	select {
	case g.freed <- struct{}{}:
	default: // a token is already waiting
	}
}

// ImageMemory estimates, for Batch.Memory, what an image file needs as
// the command decodes it with opt (imageio.EstimateFile); nil without a
// memory budget.
func ImageMemory(opt imageio.Options) func(string) int64 {
	if opt.MaxMemory <= 0 {
		return nil
	}
	return func(path string) int64 { n, _ := imageio.EstimateFile(path, opt); return n }
}

// ClipMemory is ImageMemory for inputs read with imageio.ReadFrames
// (imageio.EstimateClip).
func ClipMemory(opt imageio.Options) func(string) int64 {
	if opt.MaxMemory <= 0 {
		return nil
	}
	return func(path string) int64 { n, _ := imageio.EstimateClip(path, opt); return n }
}

// FailureLine formats the one stderr line for a failed input, always
// "tool: path: reason". The library's errors about a file start with its
// name ("a.png: truncated PNG data"); that prefix is dropped so the path
// appears once. An image over the pixel or memory budget gets the name of
// the flag that raises it.
func FailureLine(tool, path string, err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if errors.Is(err, imageio.ErrTooManyPixels) {
		msg += " (see --" + FlagMaxPixels + ")"
	}
	if errors.Is(err, imageio.ErrTooMuchMemory) {
		msg += " (--" + FlagMaxMemory + ")"
	}
	msg = strings.TrimPrefix(msg, path+": ")
	return fmt.Sprintf("%s: %s: %s", tool, path, msg)
}

func safeCall[T any](in string, fn func(string) (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (please report): %v: %s", r, firstFrames(debug.Stack()))
		}
	}()
	return fn(in)
}

// firstFrames keeps the panicking function's frame from a stack dump so
// the one-line report still says where it happened.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if strings.Contains(l, "panic(") && i+3 < len(lines) {
			return strings.TrimSpace(lines[i+2]) + " " + strings.TrimSpace(lines[i+3])
		}
	}
	return ""
}

// Async runs fn on a goroutine of its own, with the panic guard every
// input's work has (see safeCall), and returns a wait that gives fn's
// error once it has returned: a command's work on one input can fan out
// without a bug in one branch taking the whole batch down.
func Async(fn func() error) (wait func() error) {
	done := make(chan error, 1)
	go func() {
		_, err := safeCall("", func(string) (struct{}, error) { return struct{}{}, fn() })
		done <- err
	}()
	return sync.OnceValue(func() error { return <-done })
}
