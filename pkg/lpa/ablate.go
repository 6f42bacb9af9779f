package lpa

import (
	"fmt"
	"path/filepath"

	"github.com/attnkit/attn/pkg/trainrun"
)

// Variant is one row of the ablation: a name and the configuration it
// changes from the reference.
type Variant struct {
	Name string
	Cfg  Config
}

// Variants returns the paper's comparisons around a reference
// configuration ref (normally DefaultConfig): the GAP baseline, the
// reference itself, and the reference with one choice flipped at a time:
// dp instead of pc, indep instead of concat, att2 instead of att3, and
// sigmoid instead of softmax.
func Variants(ref Config) []Variant {
	ref.Attention = true
	flip := func(edit func(*Config)) Config {
		c := ref
		edit(&c)
		return c
	}
	vs := []Variant{
		{"baseline", ref.Baseline()},
		{"reference", ref},
		{"dp", flip(func(c *Config) { c.Compat = "dp" })},
		{"indep", flip(func(c *Config) { c.Head = "indep" })},
		{"att2", flip(func(c *Config) { c.Levels = 2 })},
		{"sigmoid", flip(func(c *Config) { c.Norm = "sigmoid" })},
	}
	// A flag that already equals the flipped value would repeat the
	// reference; name such rows after what they are instead.
	if ref.Compat == "dp" {
		vs[2] = Variant{"pc", flip(func(c *Config) { c.Compat = "pc" })}
	}
	if ref.Head == "indep" {
		vs[3] = Variant{"concat", flip(func(c *Config) { c.Head = "concat" })}
	}
	if ref.Levels == 2 {
		vs[4] = Variant{"att3", flip(func(c *Config) { c.Levels = 3 })}
	}
	if ref.Norm == "sigmoid" {
		vs[5] = Variant{"softmax", flip(func(c *Config) { c.Norm = "softmax" })}
	}
	return vs
}

// AblateOptions control Ablate.
type AblateOptions struct {
	Train     TrainOptions // budget and schedule of every run; Out is ignored, the bar's label is the variant
	Dir       string       // where the runs' models go (DIR/<variant>.safetensors)
	TestLimit int          // evaluate on the first TestLimit test images (0: all)
	Only      []string     // run only these variants (by name); nil runs all
	// OnStart, if set, is called before a variant starts training.
	OnStart func(v Variant)
	// OnRow, if set, is called as soon as a variant is finished.
	OnRow func(r AblateRow)
}

// AblateRow is one trained and evaluated variant.
type AblateRow struct {
	Variant  string  `json:"variant"`
	Name     string  `json:"name"` // the paper's name of the configuration
	ValErr   float64 `json:"val_error_pct"`
	TestErr  float64 `json:"error_pct"`
	N        int     `json:"n"`
	MIoU     float64 `json:"miou"` // -1 when the data has no masks
	Epochs   int     `json:"epochs"`
	Seconds  float64 `json:"seconds"`
	Model    string  `json:"model"`
	Baseline bool    `json:"-"`
}

// Ablate trains every variant of ref on src with the same budget and
// seed, and evaluates each best model on the test split: error, and the
// mean IoU of its binarised maps where the data has masks.
func Ablate(ref Config, src Source, opt AblateOptions) ([]AblateRow, error) {
	var rows []AblateRow
	vs, err := PickVariants(ref, opt.Only)
	if err != nil {
		return nil, fmt.Errorf("ablate: %w", err)
	}
	test, err := Open(src, "test", DataOptions{Side: ref.Side, Limit: opt.TestLimit})
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if opt.OnStart != nil {
			opt.OnStart(v)
		}
		topt := opt.Train
		topt.Out = filepath.Join(opt.Dir, v.Name+".safetensors")
		topt.Resume = false
		var last EpochReport
		var secs float64
		inner := topt.Report.OnEpoch
		topt.Report.Label = v.Name + " "
		topt.Report.OnEpoch = func(r EpochReport) {
			last = r
			secs += r.Seconds
			if inner != nil {
				inner(r)
			}
		}
		if _, err := Train(v.Cfg, src, topt); err != nil {
			return rows, fmt.Errorf("ablate %s: %w", v.Name, err)
		}
		m, err := Load(topt.Out)
		if err != nil {
			return rows, err
		}
		eopt := EvalOptions{Threads: topt.Threads}
		res := m.Evaluate(test, eopt)
		row := AblateRow{Variant: v.Name, Name: v.Cfg.Name(), ValErr: last.Best.Value, TestErr: res.ErrorPct(), N: res.N,
			MIoU: -1, Epochs: last.Epoch, Seconds: secs, Model: topt.Out, Baseline: !v.Cfg.Attention}
		if mk, ok := test.(Masked); ok {
			seg, err := m.Segment(mk, eopt)
			if err != nil {
				return rows, err
			}
			row.MIoU = seg.MIoU()
		}
		rows = append(rows, row)
		if opt.OnRow != nil {
			opt.OnRow(row)
		}
	}
	return rows, nil
}

// PickVariants returns the variants of ref named in only (all of them
// when only is empty), or an error naming the ones there are.
func PickVariants(ref Config, only []string) ([]Variant, error) {
	return trainrun.Pick(Variants(ref), func(v Variant) string { return v.Name }, only)
}
