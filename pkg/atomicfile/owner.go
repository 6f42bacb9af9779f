package atomicfile

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Owner identifies the process that writes a temporary file.
type Owner struct {
	Tool string // the program's name (letters, digits and '_')
	// Space names the process-ID space PID belongs to (a short hash of
	// the machine's boot and PID namespace on Linux, of the host name
	// elsewhere): a folder shared by several machines or containers holds
	// files whose PIDs mean nothing here, and those are never touched.
	Space string
	PID   int
	Start uint64 // the process's start time (clock ticks after boot); 0 when unknown
}

// Self returns the Owner of this process.
func Self() Owner { return self() }

// self is computed once: none of its parts change while the process runs.
var self = sync.OnceValue(func() Owner {
	pid := os.Getpid()
	start, _ := startTime(pid)
	h := fnv.New32a()
	h.Write([]byte(spaceID()))
	return Owner{Tool: toolName(os.Args[0]), Space: fmt.Sprintf("%08x", h.Sum32()), PID: pid, Start: start}
})

// toolName turns the program's path into the name its temporary files
// carry: the base name without .exe or .test (a test binary cleans up
// after itself like the tool it tests), other characters than letters,
// digits and '_' replaced so that the name parses back.
func toolName(arg0 string) string {
	name := filepath.Base(arg0)
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".exe"), ".test")
	name = strings.Map(func(r rune) rune {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
	if name == "" || name == "_" {
		return "attnkit"
	}
	return name
}

// TempName returns the temporary name under which o writes path: hidden,
// in the same folder (so the final rename stays on one file system),
// ".<base>.<tool>-<space>-<pid>-<start>-<seq>.tmp", where seq tells apart
// the files one process writes to the same path.
func (o Owner) TempName(path string, seq uint64) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, fmt.Sprintf(".%s.%s-%s-%d-%d-%d.tmp", base, o.Tool, o.Space, o.PID, o.Start, seq))
}

// parseTempName returns the owner recorded in a file name (no folder),
// and false when the name is not one TempName makes.
func parseTempName(name string) (Owner, bool) {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".tmp") {
		return Owner{}, false
	}
	stem := strings.TrimSuffix(name, ".tmp")
	i := strings.LastIndexByte(stem, '.')
	if i <= 0 {
		return Owner{}, false
	}
	f := strings.Split(stem[i+1:], "-")
	if len(f) != 5 || f[0] == "" || len(f[1]) != 8 {
		return Owner{}, false
	}
	if _, err := strconv.ParseUint(f[1], 16, 32); err != nil {
		return Owner{}, false
	}
	pid, err1 := strconv.Atoi(f[2])
	start, err2 := strconv.ParseUint(f[3], 10, 64)
	_, err3 := strconv.ParseUint(f[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || pid <= 0 {
		return Owner{}, false
	}
	return Owner{Tool: f[0], Space: f[1], PID: pid, Start: start}, true
}

// outlived reports whether o, the writer of a temporary file, is known to
// be gone, seen from process s: the same program in the same PID space,
// and its PID either has no process or one that started at another time
// (the PID was reused). Anything s cannot tell is kept.
func (s Owner) outlived(o Owner) bool {
	if o.Tool != s.Tool || o.Space != s.Space {
		return false
	}
	alive, known := processAlive(o.PID)
	switch {
	case !known:
		return false
	case !alive:
		return true
	case o.Start == 0:
		return false
	}
	st, ok := startTime(o.PID)
	return ok && st != o.Start
}
