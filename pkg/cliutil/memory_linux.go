package cliutil

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// AvailableMemory returns the bytes the process can still use: the
// kernel's MemAvailable (free memory plus the caches it can drop), or
// what is left under the cgroup v2 limit of a container when that is
// less. ok is false when neither can be read.
func AvailableMemory() (n int64, ok bool) {
	n, ok = memAvailable()
	if lim, used, okc := cgroupMemory(); okc && lim > used && (!ok || lim-used < n) {
		n, ok = lim-used, true
	}
	return n, ok
}

// memAvailable reads MemAvailable from /proc/meminfo.
func memAvailable() (int64, bool) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text()) // "MemAvailable:   20970176 kB"
		if len(f) >= 2 && f[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// cgroupMemory reads the memory limit and usage of the process's cgroup
// (v2, mounted at /sys/fs/cgroup as in containers); ok is false when there
// is no limit ("max") or the files are missing.
func cgroupMemory() (limit, used int64, ok bool) {
	read := func(name string) (int64, bool) {
		b, err := os.ReadFile("/sys/fs/cgroup/" + name)
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return v, err == nil && v > 0
	}
	limit, okl := read("memory.max")
	used, oku := read("memory.current")
	return limit, used, okl && oku
}
