package cliutil

import (
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/urfave/cli/v2"
)

// ThreadsFlag is --threads alone, for a command that computes but draws
// no random numbers (so takes no --seed).
func ThreadsFlag() cli.Flag { return ComputeFlags(0)[0] }

// ApplyThreads reads --threads, refuses a count below 1 (a usage error)
// and makes every matrix product of this process (pkg/gemm, which the
// convolutions, linear layers and attention run on) use that many
// threads. It returns the count. It suits a command that works through
// its inputs one at a time, whose parallelism is inside each forward
// pass; a command that spreads batches over workers sets gemm to one
// thread and passes the count to its workers instead.
func ApplyThreads(c *cli.Context) (int, error) {
	n := c.Int(FlagThreads)
	if n < 1 {
		return 0, Usagef("--%s %d: want at least 1", FlagThreads, n)
	}
	gemm.SetThreads(n)
	return n, nil
}
