package main

import (
	"fmt"
	"strings"

	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/urfave/cli/v2"
)

func evalCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "data", Value: "builtin", Usage: "`SOURCE`: builtin (the fixed test scenes) or karpathy:FILE (its test split; --images gives the image folder)"},
		&cli.StringFlag{Name: "images", Usage: "karpathy data: the `DIR` the JSON's file names are relative to"},
		&cli.StringFlag{Name: "split", Value: "test", Usage: "test, or val (the validation scenes training watched)"},
		&cli.IntFlag{Name: "scenes", Value: caption.DefaultTestScenes, Usage: "builtin: scenes in the test set"},
		&cli.Uint64Flag{Name: "test-seed", Value: caption.TestSeed, Usage: "rendering seed of the built-in test set (the default is the fixed test set)"},
		&cli.IntFlag{Name: "limit", Usage: "evaluate only the first `N` images (0: all)"},
		&cli.IntFlag{Name: "batch", Value: 50, Usage: "images per decoding batch"},
		&cli.BoolFlag{Name: "nll", Usage: "also print nll_per_word, the teacher-forced NLL per word of the references"},
	}
	flags = append(flags, decodeFlags()...)
	flags = append(flags, cliutil.OutputFlags()...)
	flags = append(flags, cliutil.ComputeFlags(1)[:1]...) // --threads
	return &cli.Command{
		Name:  "eval",
		Usage: "BLEU-1..4, CIDEr-D, content accuracy and attention correctness on a test set",
		Description: `Captions every test image by beam search and prints one line:
   model  bleu1  bleu2  bleu3  bleu4  cider  object_f1  relation_acc  relations
   attn_correctness  attn_correctness_uniform  n
(with --json one object with those keys; a figure that cannot be measured
is null). BLEU is corpus BLEU with all references, on a 0-1 scale; CIDEr-D
is COCO's (x10). On the built-in scenes the captions are also parsed with
the scene grammar: object_f1 is the F1 of the (digit, colour, size) objects
named against those present, relation_acc the share of stated relations
that hold. attn_correctness is the mean attention mass inside the box of
the object each word names; attn_correctness_uniform is what a uniform map
would score (the box's area share). --nll adds nll_per_word before n: the
negative log-likelihood per word (<end> included) of every reference caption
given the ones before it, in nats, the figure training validates on; it
does not depend on decoding, so another implementation of the model (the
PyTorch twin) can be checked against it.

Examples:
   caption eval --json
   caption eval --model baseline.safetensors --beam 1
   caption eval --model soft.safetensors --limit 500 --threads 2`,
		Flags:  flags,
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	if c.NArg() > 0 {
		return cliutil.Usagef("eval takes no arguments, got %q", c.Args().First())
	}
	threads := c.Int(cliutil.FlagThreads)
	if threads < 1 || c.Int("batch") < 1 || c.Int("limit") < 0 || c.Int("scenes") < 1 {
		return cliutil.Usagef("--threads, --batch and --scenes must be at least 1, --limit not negative")
	}
	dec, err := decodeOptions(c)
	if err != nil {
		return err
	}
	if strings.HasPrefix(c.String("data"), "karpathy:") && c.String("images") == "" {
		return cliutil.Usagef("--data %s: give the image folder with --images DIR", c.String("data"))
	}
	src, err := caption.ParseSource(c.String("data"), c.String("images"))
	if err != nil {
		return cliutil.Usagef("--data: %v", err)
	}
	split := c.String("split")
	if split != "test" && split != "val" {
		return cliutil.Usagef("--split %q: want test or val", split)
	}
	m, name, err := loadModel(c)
	if err != nil {
		return err
	}
	dopt := caption.DataOptions{Side: m.Cfg.Side, Limit: c.Int("limit"), TestSeed: c.Uint64("test-seed")}
	if split == "test" {
		dopt.Scenes = c.Int("scenes")
	}
	ds, err := caption.Open(src, split, dopt)
	if err != nil {
		return cliutil.ModelErr(err)
	}
	if ds.Len() == 0 {
		// Scores of no captions would print as zeros and read as a result.
		return cliutil.ModelErr(fmt.Errorf("%s: the %s split has no images", src, split))
	}
	gemm.SetThreads(1) // parallel over batches instead
	bar := cliutil.NewProgress(c.App.ErrWriter, cliutil.ShowProgress(c), ds.Len(), "eval")
	res, err := m.Evaluate(ds, caption.EvalOptions{DecodeOptions: dec, Batch: c.Int("batch"), Threads: threads, Progress: bar.Add})
	bar.Finish("")
	if err != nil {
		return err
	}
	s := res.Scores
	fields := []cliutil.Field{
		{Key: "model", Value: name},
		{Key: "bleu1", Value: cliutil.Round(s.BLEU1, 4)},
		{Key: "bleu2", Value: cliutil.Round(s.BLEU2, 4)},
		{Key: "bleu3", Value: cliutil.Round(s.BLEU3, 4)},
		{Key: "bleu4", Value: cliutil.Round(s.BLEU4, 4)},
		{Key: "cider", Value: cliutil.Round(s.CIDEr, 4)},
		{Key: "object_f1", Value: cliutil.Round(s.ObjectF1, 4)},
		{Key: "relation_acc", Value: cliutil.Round(s.RelationAcc, 4)},
		{Key: "relations", Value: s.Relations},
		{Key: "attn_correctness", Value: cliutil.Round(s.AttnCorrectness, 4)},
		{Key: "attn_correctness_uniform", Value: cliutil.Round(s.AttnCorrectnessUniform, 4)},
	}
	if c.Bool("nll") {
		nll, err := m.NLL(ds, c.Int("batch"), threads)
		if err != nil {
			return err
		}
		fields = append(fields, cliutil.Field{Key: "nll_per_word", Value: cliutil.Round(nll, 4)})
	}
	fields = append(fields, cliutil.Field{Key: "n", Value: s.N})
	return cliutil.NewPrinter(c.App.Writer, c.Bool(cliutil.FlagJSON)).Print(fields...)
}
