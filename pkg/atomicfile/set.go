package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// A Set is a group of files that appear together or not at all, such as
// the pictures a command makes from one input. Write stages each file
// under a temporary name; Commit renames them all into place; Abort (or
// a failed Commit) removes them. The zero Set is ready to use. Several
// goroutines may Write at once (a command encodes one input's pictures in
// parallel); Commit and Abort come after every Write has returned.
//
//	var out atomicfile.Set
//	defer out.Abort() // removes what is staged unless Commit succeeded
//	if err := out.Write(a, encodeA); err != nil { return err }
//	if err := out.Write(b, encodeB); err != nil { return err }
//	return out.Commit()
type Set struct {
	mu     sync.Mutex // guards staged against concurrent Writes
	staged []staged
}

type staged struct{ tmp, path string }

// Write stages path: write receives a buffered writer on a new temporary
// file beside path (first removing the temporary files in that folder
// that a dead run of this program left, see Owner); the data is flushed,
// synced and given mode 0644. A failure, or a panic in write, removes
// this file's temporary file; what was staged before stays staged.
func (s *Set) Write(path string, write func(io.Writer) error) (err error) {
	sweep(filepath.Dir(path))
	f, tmp, err := create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			discard(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Outputs are ordinary files, readable by others, whatever the
	// temporary file was created with.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	s.mu.Lock()
	s.staged = append(s.staged, staged{tmp, path})
	s.mu.Unlock()
	return nil
}

// Commit renames every staged file into place, replacing what was there,
// and empties the set. Should a rename fail, the files this Commit
// already put in place are removed too (an older version they replaced
// is lost), so the set still appears not at all. Renames run under the
// lock Abandon takes, so a process exiting at once never leaves half a
// set; only a crash of the machine in the middle of them could.
func (s *Set) Commit() error {
	live.Lock()
	var err error
	for i, st := range s.staged {
		if e := os.Rename(st.tmp, st.path); e != nil {
			err = fmt.Errorf("write %s: %w", st.path, e)
			for _, done := range s.staged[:i] {
				os.Remove(done.path)
			}
			for _, rest := range s.staged[i:] {
				os.Remove(rest.tmp)
			}
			break
		}
	}
	for _, st := range s.staged {
		delete(live.files, st.tmp)
	}
	live.Unlock()
	dirs := map[string]bool{}
	for _, st := range s.staged {
		dirs[filepath.Dir(st.path)] = true
	}
	s.staged = nil
	if err != nil {
		return err
	}
	// Make the renames durable; some systems cannot sync a folder, and
	// the data is already safe, so errors are ignored.
	for d := range dirs {
		if f, err := os.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
	return nil
}

// Abort removes the staged files and empties the set; after Commit it
// does nothing.
func (s *Set) Abort() {
	if len(s.staged) == 0 {
		return
	}
	tmps := make([]string, len(s.staged))
	for i, st := range s.staged {
		tmps[i] = st.tmp
	}
	discard(tmps...)
	s.staged = nil
}

// Write writes path through write so that path either keeps its old
// content or holds the complete new content: a Set of one file.
func Write(path string, write func(io.Writer) error) error {
	var s Set
	defer s.Abort()
	if err := s.Write(path, write); err != nil {
		return err
	}
	return s.Commit()
}
