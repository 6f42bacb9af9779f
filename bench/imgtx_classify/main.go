// Command imgtx_classify has the embedded glimpse MNIST classifier judge
// what an Image Transformer (or PixelCNN) model draws. What it measures
// follows the model's conditioning:
//
//   - unconditional (completion): keep the top -rows rows of the first -n
//     MNIST test digits, sample the rest, and label the originals and the
//     completions;
//
//   - class: draw -n samples, classes 0, 1, …, 9 in turn, and count those
//     labelled as the class asked for, in all and per class;
//
//   - lowres (super-resolution): reduce the first -n test digits to the
//     model's low resolution, upscale them by sampling and by bicubic
//     interpolation, and label the originals and both enlargements.
//
//     go run ./bench/imgtx_classify -json                                  # completion by embedded:transformer
//     go run ./bench/imgtx_classify -model embedded:class -json
//     go run ./bench/imgtx_classify -model embedded:upscale -temperature 0.9 -json
//
// It prints one JSON object (with -json) or TSV line: the model, n, and
// accuracies in percent against the MNIST labels (acc_original,
// acc_completed; acc_class and acc_by_class; acc_original, acc_bicubic,
// acc_upscaled),
// and the sampling time. The classifier is greedy (one glimpse path per
// image, as glimpse eval).
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
	n := flag.Int("n", 1000, "images: the first n test digits, or n class-conditional samples")
	rows := flag.Int("rows", 14, "completion: top rows kept")
	temp := flag.Float64("temperature", 1, "sampling temperature")
	threads := flag.Int("threads", 2, "batches sampled at once")
	seed := flag.Uint64("seed", 1, "sampling seed")
	asJSON := flag.Bool("json", false, "print JSON")
	flag.Parse()
	if err := run(*model, *n, *rows, *temp, *threads, *seed, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "imgtx_classify:", err)
		os.Exit(1)
	}
}

func run(model string, n, rows int, temp float64, threads int, seed uint64, asJSON bool) error {
	m, err := imgtx.Open(model)
	if err != nil {
		return err
	}
	cfg := m.Cfg
	if cfg.Height != 28 || cfg.Width != 28 || cfg.Channels != 1 {
		return fmt.Errorf("%s: want a 28×28 grey model", model)
	}
	clf, err := ram.Load("mnist")
	if err != nil {
		return err
	}
	// byLabel is the percentage of the images pix (interleaved) that the
	// classifier labels as labels says, over all and for each label.
	byLabel := func(pix []uint8, labels []int) (float64, []float64) {
		k := len(labels)
		x := make([]float32, len(pix))
		for i, p := range pix {
			x[i] = float32(p) * (1.0 / 255)
		}
		probs := clf.Predict(autograd.NewInference(), x, k, 1, 0, rand.New(rand.NewPCG(1, 2)))
		c := clf.Cfg.Classes
		right, rightOf, countOf := 0, make([]int, c), make([]int, c)
		for i := range k {
			row := probs[i*c : (i+1)*c]
			countOf[labels[i]]++
			if slices.Index(row, slices.Max(row)) == labels[i] {
				right++
				rightOf[labels[i]]++
			}
		}
		per := make([]float64, c)
		for j := range per {
			per[j] = cliutil.Round(100*float64(rightOf[j])/float64(max(countOf[j], 1)), 1)
		}
		return cliutil.Round(100*float64(right)/float64(k), 2), per
	}
	accuracy := func(pix []uint8, labels []int) float64 {
		acc, _ := byLabel(pix, labels)
		return acc
	}
	opt := pkgimgtx.SampleOptions{Count: n, Temperature: temp, Seed: seed, Threads: threads}
	fields := []cliutil.Field{{Key: "model", Value: model}, {Key: "cond", Value: cfg.Cond}, {Key: "n", Value: n}, {Key: "temperature", Value: temp}}
	var test *pkgimgtx.Dataset
	var orig []uint8
	if cfg.Cond != "class" {
		if test, err = pkgimgtx.Open(pkgimgtx.Source{Kind: "mnist"}, "test", 28, 28, 1, n); err != nil {
			return err
		}
		opt.Count = test.Len()
		for i := range test.Len() {
			orig = append(orig, test.Image(i)...)
		}
		fields[2].Value = opt.Count
	}
	var judge func(drawn []uint8) []cliutil.Field
	switch cfg.Cond {
	case "none":
		opt.Known, opt.KnownMask = orig, cfg.KnownRows(rows)
		judge = func(drawn []uint8) []cliutil.Field {
			return []cliutil.Field{{Key: "rows", Value: rows}, {Key: "acc_original", Value: accuracy(orig, test.Labels)},
				{Key: "acc_completed", Value: accuracy(drawn, test.Labels)}}
		}
	case "class":
		if cfg.Classes != 10 {
			return fmt.Errorf("%s: a class-conditional model of %d classes, want the 10 digits", model, cfg.Classes)
		}
		opt.Labels = make([]int, n)
		for i := range opt.Labels {
			opt.Labels[i] = i % 10
		}
		judge = func(drawn []uint8) []cliutil.Field {
			acc, per := byLabel(drawn, opt.Labels)
			return []cliutil.Field{{Key: "acc_class", Value: acc}, {Key: "acc_by_class", Value: per}}
		}
	case "lowres":
		var bicubic []uint8
		for i := range opt.Count {
			low := pkgimgtx.Downsample(orig[i*cfg.Len():(i+1)*cfg.Len()], 28, 28, 1, cfg.LowRes)
			opt.Low = append(opt.Low, low...)
			bicubic = append(bicubic, cfg.Bicubic(low)...)
		}
		judge = func(drawn []uint8) []cliutil.Field {
			return []cliutil.Field{{Key: "lowres", Value: cfg.LowRes}, {Key: "acc_original", Value: accuracy(orig, test.Labels)},
				{Key: "acc_bicubic", Value: accuracy(bicubic, test.Labels)}, {Key: "acc_upscaled", Value: accuracy(drawn, test.Labels)}}
		}
	default:
		return fmt.Errorf("%s: conditioning %q", model, cfg.Cond)
	}
	start := time.Now()
	drawn, err := m.Sample(opt)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fields = append(fields, judge(drawn)...)
	fields = append(fields, cliutil.Field{Key: "seconds", Value: cliutil.Round(secs, 1)})
	return cliutil.NewPrinter(os.Stdout, asJSON).Print(fields...)
}
