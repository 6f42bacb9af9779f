package cliutil

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/urfave/cli/v2"
)

// FlagMaxMemory names the memory budget flag every image-reading command
// has beside --max-pixels.
const FlagMaxMemory = "max-memory"

// DefaultMemoryShare is the share of the machine's available memory an
// input may need by default: enough for any sane photo, with room left for
// the rest of the process and the machine.
const DefaultMemoryShare = 0.8

// fallbackMemory is the default budget where the available memory cannot
// be read (no /proc/meminfo): a size most machines that run the tools
// have free.
const fallbackMemory = 4 << 30

// MaxMemoryFlag is --max-memory.
func MaxMemoryFlag() cli.Flag {
	return &cli.StringFlag{Name: FlagMaxMemory, Value: "auto", Usage: "refuse an input that would need more memory than `SIZE`, estimated before decoding from its header and what the command does with it (4GiB, 512MiB, 2G or bytes; auto: 80% of the memory available at start)"}
}

// DecodeOptions reads --max-pixels and --max-memory into the options an
// image-reading command decodes with. work is what the command allocates
// per input pixel after decoding (imageio.Options.WorkBytesPerPixel): 0
// for one that shrinks each input to a model's size right away, more for
// one that draws or filters at the input's size.
func DecodeOptions(c *cli.Context, work int64) (imageio.Options, error) {
	opt := imageio.Options{WorkBytesPerPixel: work}
	mp := c.Int(FlagMaxPixels)
	if mp < 1 {
		return opt, Usagef("--%s %d: want a positive pixel count", FlagMaxPixels, mp)
	}
	opt.MaxPixels = int64(mp)
	mem, err := MaxMemory(c.String(FlagMaxMemory))
	if err != nil {
		return opt, Usagef("--%s: %v", FlagMaxMemory, err)
	}
	opt.MaxMemory = mem
	return opt, nil
}

// MaxMemory turns a --max-memory value into bytes: "auto" or "" is
// DefaultMemoryShare of AvailableMemory, anything else goes to ParseBytes.
func MaxMemory(s string) (int64, error) {
	if s == "" || strings.EqualFold(s, "auto") {
		return DefaultMaxMemory(), nil
	}
	n, err := ParseBytes(s)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("%q: want a positive size", s)
	}
	return n, nil
}

// DefaultMaxMemory is DefaultMemoryShare of AvailableMemory, or 4 GiB
// where that cannot be read.
func DefaultMaxMemory() int64 {
	avail, ok := AvailableMemory()
	if !ok {
		return fallbackMemory
	}
	return int64(float64(avail) * DefaultMemoryShare)
}

// ParseBytes reads a size: a number (fractions allowed) with an optional
// unit, case-insensitive and with optional space before it: B; KiB, MiB,
// GiB, TiB (powers of 1024) and their short forms K, M, G, T; kB, MB, GB,
// TB (powers of 1000). "4GiB", "1.5G", "512MiB" and "1000000" are all
// sizes.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("%q: not a size (want e.g. 4GiB, 512MiB or bytes)", s)
	}
	mult, ok := byteUnits[strings.ToLower(unit)]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (want B, KiB, MiB, GiB, TiB, K, M, G, T, kB, MB, GB or TB)", s, unit)
	}
	b := v * mult
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return int64(b), nil
}

var byteUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
}
