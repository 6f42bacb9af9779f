// Package cliutil holds the conventions every attnkit command shares:
// input lists (files, folders, '-' for paths on stdin, --shard), one result
// line per input on stdout (TSV or NDJSON), progress on stderr, atomic
// artifacts and documented exit codes.
package cliutil

import (
	"errors"
	"fmt"
)

// Exit codes, the same for every tool (README "Exit codes").
const (
	ExitOK       = 0 // everything succeeded
	ExitPartial  = 1 // some inputs failed; the others were processed
	ExitUsage    = 2 // bad flags or arguments
	ExitBadModel = 3 // a model or data file is invalid or missing
	// 130 and 143: stopped by SIGINT or SIGTERM (see Interrupted)
)

// UsageError marks a bad flag or argument (exit 2).
type UsageError struct{ Err error }

// Error returns the wrapped error's message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error, for errors.Is and errors.As.
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// ModelError marks an invalid or missing model or data file (exit 3).
type ModelError struct{ Err error }

// Error returns the wrapped error's message.
func (e *ModelError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error, for errors.Is and errors.As.
func (e *ModelError) Unwrap() error { return e.Err }

// ModelErr wraps err (if not nil) as a ModelError.
func ModelErr(err error) error {
	if err == nil {
		return nil
	}
	return &ModelError{err}
}

// PartialError reports that Failed of Total inputs failed; each failure has
// already been printed on stderr (exit 1).
type PartialError struct{ Failed, Total int }

// Error says how many inputs failed.
func (e *PartialError) Error() string {
	return fmt.Sprintf("%d of %d inputs failed", e.Failed, e.Total)
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	var u *UsageError
	var m *ModelError
	var p *PartialError
	var in *Interrupted
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &in):
		return in.Code()
	case errors.As(err, &u):
		return ExitUsage
	case errors.As(err, &m):
		return ExitBadModel
	case errors.As(err, &p):
		return ExitPartial
	}
	return ExitPartial
}
