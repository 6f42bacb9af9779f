package atomicfile

import (
	"os"
	"strconv"
	"strings"
)

// startTime returns field 22 of /proc/PID/stat, the time the process
// started in clock ticks after boot: with the PID, it names one process
// for the whole uptime, since a reused PID gets a later start.
func startTime(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// Field 2, the command name, is in parentheses and may hold spaces
	// and parentheses itself; the fields after the last ')' start at 3.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(f[22-3], 10, 64)
	return v, err == nil
}

// spaceID names the PID space: the boot (start times count from it) and
// the PID namespace (containers on one kernel reuse each other's PIDs).
func spaceID() string {
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, _ := os.Readlink("/proc/self/ns/pid")
	host, _ := os.Hostname()
	return strings.TrimSpace(string(boot)) + "|" + ns + "|" + host
}
