//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process has the PID (signal 0 checks
// without sending anything; EPERM means it exists under another user),
// and whether that could be told at all.
func processAlive(pid int) (alive, known bool) {
	if pid <= 0 {
		return false, false // 0 and negatives address process groups
	}
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
