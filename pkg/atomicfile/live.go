package atomicfile

import (
	"os"
	"sync"
)

// live holds this process's temporary files. It is process-wide because
// what it serves is: a signal may end the process from any goroutine, and
// then every temporary file must go, whoever made it.
var live = struct {
	sync.Mutex
	files map[string]bool
	seq   uint64
}{files: map[string]bool{}}

// create makes a new temporary file for path and records it, under the
// lock, so that Abandon never misses a file that is about to exist.
func create(path string) (*os.File, string, error) {
	live.Lock()
	defer live.Unlock()
	live.seq++
	tmp := Self().TempName(path, live.seq)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, "", err
	}
	live.files[tmp] = true
	return f, tmp, nil
}

// discard removes temporary files and forgets them.
func discard(tmps ...string) {
	live.Lock()
	defer live.Unlock()
	for _, t := range tmps {
		os.Remove(t)
		delete(live.files, t)
	}
}

// Abandon removes every temporary file of this process, for a process
// that must exit at once. It waits for a Set being committed to finish
// and never returns the lock, so no temporary file is made and no rename
// happens after it: the caller is to exit right away.
func Abandon() {
	live.Lock()
	for t := range live.files {
		os.Remove(t)
	}
	clear(live.files)
}
