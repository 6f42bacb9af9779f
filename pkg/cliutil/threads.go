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
// threads. It returns the count. A command over inputs then calls
// BatchThreads, which splits the count between inputs in hand at once and
// the products inside each; a command that spreads batches over workers
// sets gemm to one thread and passes the count to its workers instead.
func ApplyThreads(c *cli.Context) (int, error) {
	n := c.Int(FlagThreads)
	if n < 1 {
		return 0, Usagef("--%s %d: want at least 1", FlagThreads, n)
	}
	gemm.SetThreads(n)
	return n, nil
}

// BatchThreads splits --threads between inputs and the work inside each,
// for a command that runs a model on every input (ForEachParallel):
// workers = min(threads, inputs) inputs in hand at once, each computing
// on each = threads/workers threads, which it also sets as pkg/gemm's
// thread count (one setting for the process, the same for every worker).
// Inputs share nothing, while one small input's matrix products are too
// small to keep several threads busy: glimpse predict over 500 images
// ran 1.10× faster on two threads inside each forward pass. gemm's
// result does not depend on its thread count, so neither does any
// input's.
func BatchThreads(threads, inputs int) (workers, each int) {
	workers = min(max(threads, 1), max(inputs, 1))
	each = max(threads/workers, 1)
	gemm.SetThreads(each)
	return workers, each
}
