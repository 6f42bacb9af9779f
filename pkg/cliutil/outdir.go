package cliutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// An OutDirError says why the output folder of -o DIR cannot take the
// command's outputs: it exists as a file, cannot be created, or cannot
// be written. It is a usage error (exit 2) found before any input is
// read, so a batch fails once, on one line, rather than once per input.
// Run prints it without the hint to read --help: the flag was well
// formed, the folder is what is wrong.
type OutDirError struct {
	Dir string
	Err error // what is wrong, without the folder's name
}

// Error says which folder and what is wrong with it.
func (e *OutDirError) Error() string { return fmt.Sprintf("-o %s: %v", e.Dir, e.Err) }

// Unwrap returns the cause, for errors.Is (fs.ErrPermission, ...).
func (e *OutDirError) Unwrap() error { return e.Err }

// PrepareOutDir makes sure dir can take a command's outputs before any
// input is processed: it creates dir and its parents when missing, then
// checks that it is a folder new files can be written to, by creating
// and removing a probe file (a permission bit can lie: a read-only mount,
// an immutable folder, or root, whom mode bits do not stop). Any problem
// is a UsageError wrapping an *OutDirError.
func PrepareOutDir(dir string) error {
	fail := func(err error) error { return &UsageError{&OutDirError{Dir: dir, Err: err}} }
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fail(errors.New("exists and is not a folder"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(fmt.Errorf("cannot create the folder: %w", reason(err)))
	}
	probe, err := os.CreateTemp(dir, ".attnkit-probe-*")
	if err != nil {
		return fail(fmt.Errorf("cannot write in the folder: %w", reason(err)))
	}
	name := probe.Name()
	probe.Close()
	if err := os.Remove(name); err != nil {
		return fail(fmt.Errorf("cannot remove a file from the folder: %w", reason(err)))
	}
	return nil
}

// reason strips an *fs.PathError down to its cause: its text names a
// path (the folder, one of its parents or the probe file) that the
// message does not need twice.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
