// Command imgtx_complete measures completion by an Image Transformer (or
// PixelCNN) model: it keeps the top rows of the first MNIST test digits,
// samples the rest, and has the embedded glimpse MNIST classifier label
// the originals and the completions.
//
//	go run ./bench/imgtx_complete -json
//	go run ./bench/imgtx_complete -model runs/imgtx-tx.safetensors -n 200 -rows 7
//
// It prints {"model":…, "n":…, "rows":…, "acc_original":…,
// "acc_completed":…, "seconds":…} (with -json) or those fields as a TSV
// line. Accuracy is against the MNIST labels, in percent; the classifier
// is greedy (one glimpse path per image, as glimpse eval).
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/attnkit/attn/models/imgtx"
	"github.com/attnkit/attn/models/ram"
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/cliutil"
	pkgimgtx "github.com/attnkit/attn/pkg/imgtx"
)

func main() {
	model := flag.String("model", "embedded:transformer", "imgtx model: embedded:NAME or a .safetensors file")
	n := flag.Int("n", 1000, "test digits to complete (the first n)")
	rows := flag.Int("rows", 14, "top rows kept")
	temp := flag.Float64("temperature", 1, "sampling temperature")
	threads := flag.Int("threads", 2, "batches sampled at once")
	seed := flag.Uint64("seed", 1, "sampling seed")
	asJSON := flag.Bool("json", false, "print JSON")
	flag.Parse()
	if err := run(*model, *n, *rows, *temp, *threads, *seed, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "imgtx_complete:", err)
		os.Exit(1)
	}
}

func run(model string, n, rows int, temp float64, threads int, seed uint64, asJSON bool) error {
	m, err := imgtx.Open(model)
	if err != nil {
		return err
	}
	cfg := m.Cfg
	if cfg.Height != 28 || cfg.Width != 28 || cfg.Channels != 1 || cfg.Cond != "none" {
		return fmt.Errorf("%s: want an unconditional 28×28 grey model", model)
	}
	test, err := pkgimgtx.Open(pkgimgtx.Source{Kind: "mnist"}, "test", 28, 28, 1, n)
	if err != nil {
		return err
	}
	n = test.Len()
	known := make([]uint8, 0, n*cfg.Len())
	for i := range n {
		known = append(known, test.Image(i)...)
	}
	start := time.Now()
	done, err := m.Sample(pkgimgtx.SampleOptions{Count: n, Known: known, KnownMask: cfg.KnownRows(rows),
		Temperature: temp, Seed: seed, Threads: threads})
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()

	clf, err := ram.Load("mnist")
	if err != nil {
		return err
	}
	accuracy := func(pix []uint8) float64 {
		x := make([]float32, len(pix))
		for i, p := range pix {
			x[i] = float32(p) * (1.0 / 255)
		}
		probs := clf.Predict(autograd.NewInference(), x, n, 1, 0, rand.New(rand.NewPCG(1, 2)))
		c := clf.Cfg.Classes
		right := 0
		for i := range n {
			row := probs[i*c : (i+1)*c]
			if slices.Index(row, slices.Max(row)) == test.Labels[i] {
				right++
			}
		}
		return 100 * float64(right) / float64(n)
	}
	pr := cliutil.NewPrinter(os.Stdout, asJSON)
	return pr.Print(cliutil.Field{Key: "model", Value: model}, cliutil.Field{Key: "n", Value: n},
		cliutil.Field{Key: "rows", Value: rows}, cliutil.Field{Key: "acc_original", Value: cliutil.Round(accuracy(known), 2)},
		cliutil.Field{Key: "acc_completed", Value: cliutil.Round(accuracy(done), 2)}, cliutil.Field{Key: "seconds", Value: cliutil.Round(secs, 1)})
}
