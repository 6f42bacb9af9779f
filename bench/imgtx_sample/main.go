// Command imgtx_sample times cached against naive sampling of the Image
// Transformer (pkg/imgtx): the same images drawn by decoding one position
// at a time from the key/value cache, and by recomputing the model over
// the whole prefix at every position.
//
//	go run ./bench/imgtx_sample -json
//	go run ./bench/imgtx_sample -side 14 -layers 2 -embed 64 -count 64
//
// It prints {"naive_s":…, "cached_s":…, "speedup":…} (with -json) or a
// line of those fields, and exits 1 if the two disagree on any sub-pixel.
// The model is untrained (random weights from -seed): the cost of
// sampling does not depend on the weights.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/imgtx"
)

func main() {
	side := flag.Int("side", 12, "image side (grey images)")
	count := flag.Int("count", 64, "images to sample (one batch)")
	layers := flag.Int("layers", 2, "decoder layers")
	embed := flag.Int("embed", 64, "model width")
	heads := flag.Int("heads", 4, "attention heads")
	attention := flag.String("attention", "local1d", "local1d or local2d")
	threads := flag.Int("threads", 1, "GEMM threads")
	seed := flag.Uint64("seed", 1, "weights and sampling seed")
	asJSON := flag.Bool("json", false, "print JSON")
	flag.Parse()

	gemm.SetThreads(*threads)
	cfg := imgtx.DefaultConfig("transformer", *side, *side, 1)
	cfg.Layers, cfg.Embed, cfg.Heads, cfg.FF, cfg.Attention = *layers, *embed, *heads, 2**embed, *attention
	cfg.QueryH, cfg.QueryW, cfg.MemH, cfg.MemW = 4, 4, 4, 4
	m, err := imgtx.New(cfg, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imgtx_sample:", err)
		os.Exit(2)
	}
	opt := imgtx.SampleOptions{Count: *count, Seed: *seed, Batch: *count}
	run := func(naive bool) ([]uint8, float64) {
		opt.Naive = naive
		start := time.Now()
		out, err := m.Sample(opt)
		if err != nil {
			fmt.Fprintln(os.Stderr, "imgtx_sample:", err)
			os.Exit(2)
		}
		return out, time.Since(start).Seconds()
	}
	cached, cachedS := run(false)
	naive, naiveS := run(true)
	p := cliutil.NewPrinter(os.Stdout, *asJSON)
	if err := p.Print(
		cliutil.Field{Key: "naive_s", Value: cliutil.Round(naiveS, 3)},
		cliutil.Field{Key: "cached_s", Value: cliutil.Round(cachedS, 3)},
		cliutil.Field{Key: "speedup", Value: cliutil.Round(naiveS/cachedS, 1)},
	); err != nil {
		os.Exit(1)
	}
	if !bytes.Equal(cached, naive) {
		fmt.Fprintln(os.Stderr, "imgtx_sample: cached and naive samples differ")
		os.Exit(1)
	}
}
