//go:build !linux

package atomicfile

import "os"

// startTime is unknown off Linux: a live PID then always keeps its files.
func startTime(int) (uint64, bool) { return 0, false }

// spaceID names the PID space by the host alone.
func spaceID() string {
	host, _ := os.Hostname()
	return host
}
