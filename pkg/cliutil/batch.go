package cliutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

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
func ForEach(ctx context.Context, inputs []string, stderr io.Writer, tool string, bar *Progress, fn func(path string) error) error {
	failed := 0
	for i, in := range inputs {
		if err := Stopped(ctx, "%d of %d inputs done%s", i, len(inputs), failedNote(failed)); err != nil {
			return err
		}
		if err := safeCall(in, fn); err != nil {
			failed++
			fmt.Fprintln(stderr, FailureLine(tool, in, err))
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if failed > 0 {
		return &PartialError{Failed: failed, Total: len(inputs)}
	}
	return nil
}

func failedNote(failed int) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d failed)", failed)
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

func safeCall(in string, fn func(string) error) (err error) {
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
