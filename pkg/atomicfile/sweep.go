package atomicfile

import (
	"os"
	"path/filepath"
	"sync"
)

// swept records the folders this process has cleaned, so that each is
// read once however many files go into it.
var swept sync.Map

// sweep removes from dir the temporary files this program's dead runs
// left there (see Owner.outlived), the first time this process writes
// into dir. Errors are ignored: a folder that cannot be read fails the
// write that follows with a clearer message.
func sweep(dir string) {
	key, err := filepath.Abs(dir)
	if err != nil {
		key = dir
	}
	if _, done := swept.LoadOrStore(key, true); done {
		return
	}
	Sweep(dir)
}

// Sweep removes from dir every temporary file of this program whose
// writer is known to be gone: its process has exited, or its PID now
// belongs to a process that started at another time. Files of other
// programs, of other machines or containers, of live processes and of
// writers it cannot check are kept. It returns the files it removed.
func Sweep(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	me := Self()
	var removed []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		o, ok := parseTempName(e.Name())
		if !ok || !me.outlived(o) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if os.Remove(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}
