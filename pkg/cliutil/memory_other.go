//go:build !linux

package cliutil

// AvailableMemory reports ok false off Linux: there is no portable way to
// ask, so DefaultMaxMemory falls back to 4 GiB and --max-memory sets the
// budget.
func AvailableMemory() (n int64, ok bool) { return 0, false }
