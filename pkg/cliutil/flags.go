package cliutil

import (
	"runtime"

	"github.com/urfave/cli/v2"
)

// Flag names shared by every tool.
const (
	FlagJSON      = "json"
	FlagQuiet     = "quiet"
	FlagThreads   = "threads"
	FlagSeed      = "seed"
	FlagOut       = "out"
	FlagRecursive = "recursive"
	FlagShard     = "shard"
	FlagMaxPixels = "max-pixels"
)

// OutputFlags are --json and --quiet.
func OutputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: FlagJSON, Usage: "print one JSON object per line instead of TSV"},
		&cli.BoolFlag{Name: FlagQuiet, Aliases: []string{"q"}, Usage: "no progress bar or log on stderr"},
	}
}

// ComputeFlags are --threads and --seed.
func ComputeFlags(defaultSeed uint64) []cli.Flag {
	return []cli.Flag{
		// GOMAXPROCS, not NumCPU: in a container with a CPU quota Go
		// sizes GOMAXPROCS to the quota while NumCPU still counts the
		// host's cores, and more busy threads than the quota only queue.
		&cli.IntFlag{Name: FlagThreads, Value: runtime.GOMAXPROCS(0), Usage: "worker threads (default: the cores this process may use)"},
		&cli.Uint64Flag{Name: FlagSeed, Value: defaultSeed, Usage: "random seed; the same seed and thread count give the same result"},
	}
}

// InputFlags are --recursive, --shard, --max-pixels, --max-memory and -o
// DIR.
func InputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: FlagRecursive, Aliases: []string{"r"}, Usage: "descend into subfolders of folder arguments"},
		&cli.StringFlag{Name: FlagShard, Usage: "process only shard `K/N` (0-based) of the inputs, for running N processes", Value: ""},
		&cli.IntFlag{Name: FlagMaxPixels, Value: 64_000_000, Usage: "refuse images with more pixels than this"},
		MaxMemoryFlag(),
		&cli.StringFlag{Name: FlagOut, Aliases: []string{"o"}, Usage: "write artifacts under `DIR` (created if missing)"},
	}
}

// ShowProgress reports whether a progress bar should be drawn: stderr is a
// terminal and --quiet was not given.
func ShowProgress(c *cli.Context) bool {
	return !c.Bool(FlagQuiet) && StderrIsTerminal()
}

// Inputs expands the command's arguments (files, folders, '-') and keeps
// this process's --shard of them.
func Inputs(c *cli.Context) ([]string, error) {
	if c.NArg() == 0 {
		return nil, Usagef("no input: give image files, folders, or '-' to read paths from stdin")
	}
	sh, err := ParseShard(c.String(FlagShard))
	if err != nil {
		return nil, Usagef("--%s: %v", FlagShard, err)
	}
	paths, err := ExpandInputs(c.Args().Slice(), c.Bool(FlagRecursive), c.App.Reader)
	if err != nil {
		return nil, err
	}
	return sh.Select(paths), nil
}
