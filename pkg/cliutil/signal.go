package cliutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/urfave/cli/v2"
)

// Interrupted is the error of a command that SIGINT or SIGTERM stopped
// early. Its exit code is the one a shell gives a process the signal
// killed, 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.
type Interrupted struct {
	Signal os.Signal // nil when the context ended for another reason
	Done   string    // what was finished, e.g. "3 of 10 inputs done"
}

// Error says that the command was interrupted and what it finished.
func (e *Interrupted) Error() string {
	if e.Done == "" {
		return "interrupted"
	}
	return "interrupted: " + e.Done
}

// Code returns the exit code: 128 + the signal's number (130 without one).
func (e *Interrupted) Code() int { return signalCode(e.Signal) }

func signalCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// Stopped returns nil while ctx is live and, once it is done, an
// *Interrupted carrying the signal that ended it and, as Done, the text
// format and args make. A command checks it between steps (inputs,
// batches) and returns it as it is.
func Stopped(ctx context.Context, format string, args ...any) error {
	if ctx.Err() == nil {
		return nil
	}
	e := &Interrupted{Done: fmt.Sprintf(format, args...)}
	var cause *Interrupted
	if errors.As(context.Cause(ctx), &cause) {
		e.Signal = cause.Signal
	}
	return e
}

// Interruptible returns the command's context and tells the signal
// watcher (see Main) that the command stops by itself once that context
// is done: from now on the first SIGINT or SIGTERM ends the context
// instead of the process, and the command is to finish or drop the step
// in hand, leave no temporary file and return what Stopped makes. Until
// a command calls it, the first signal exits at once, as the second
// always does. Without a watcher (Run, in tests) it only returns the
// context.
func Interruptible(c *cli.Context) context.Context {
	ctx := c.Context
	if ctx == nil {
		return context.Background()
	}
	if w, ok := ctx.Value(watcherKey{}).(*watcher); ok {
		w.graceful.Store(true)
	}
	return ctx
}

type watcherKey struct{}

// watcher turns SIGINT and SIGTERM into the end of a context, or into an
// exit at once for a command that has not said it stops by itself, and
// for the second signal.
type watcher struct {
	name     string
	stderr   io.Writer
	graceful atomic.Bool
}

// watchSignals returns a context that the first SIGINT or SIGTERM ends
// (with an *Interrupted as its cause), and a function that stops
// watching.
func watchSignals(name string, stderr io.Writer) (context.Context, func()) {
	w := &watcher{name: name, stderr: stderr}
	ctx, cancel := context.WithCancelCause(context.WithValue(context.Background(), watcherKey{}, w))
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			if !w.graceful.Load() {
				w.exitNow(sig, "interrupted")
			}
			cancel(&Interrupted{Signal: sig})
		case <-quit:
			return
		}
		select {
		case sig := <-ch:
			w.exitNow(sig, "interrupted again: stopped at once")
		case <-quit:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(quit)
		cancel(nil)
	}
}

// exitNow removes the process's temporary files and exits with the
// signal's code. What was renamed into place stays: it is complete.
func (w *watcher) exitNow(sig os.Signal, msg string) {
	atomicfile.Abandon()
	if StderrIsTerminal() {
		fmt.Fprintln(w.stderr) // end the progress bar's line
	}
	fmt.Fprintf(w.stderr, "%s: %s\n", w.name, msg)
	os.Exit(signalCode(sig))
}
