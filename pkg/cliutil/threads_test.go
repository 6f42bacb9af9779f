package cliutil

import (
	"runtime"
	"testing"

	"github.com/urfave/cli/v2"
)

// --threads defaults to GOMAXPROCS, which Go sizes to a container's CPU
// quota, not to the host's core count.
func TestThreadsDefaultFollowsGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, f := range ComputeFlags(1) {
		if f, ok := f.(*cli.IntFlag); ok && f.Name == FlagThreads && f.Value != 1 {
			t.Fatalf("--threads defaults to %d under GOMAXPROCS 1", f.Value)
		}
	}
}
