package nonlocal

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/pkg/trainrun"
)

// Variant is one row of the ablation: the group of Table 2 it belongs to
// ("a" pairwise function, "b" stage, "c" number of blocks, "d" extent, or
// "base" for the baseline), its name and its configuration.
type Variant struct {
	Group string
	Name  string
	Cfg   Config
}

// paperTop1 are the Kinetics top-1 accuracies of the paper's Table 2 that
// PAPERS.md records (ResNet-50 C2D), by variant name.
var paperTop1 = map[string]float64{
	"baseline": 71.8, "gaussian": 72.5, "embedded": 72.7, "dot": 72.9, "concat": 72.8, "5 blocks": 73.8,
}

// Variants returns the rows of the paper's Table 2 around a reference
// configuration (one block, normally DefaultConfig): the baseline without
// blocks; (a) the four pairwise functions; (b) the single block in res2,
// res3, res4 or res5; (c) one against five blocks; (d) space-only,
// time-only and spacetime (clips only; time-only blocks do not
// subsample). The reference is one row and stands for itself in every
// group; variants that equal it are not repeated.
func Variants(ref Config) []Variant {
	ref.Blocks = 1
	with := func(edit func(*Config)) Config {
		c := ref
		c.Widths, c.Depths = append([]int(nil), ref.Widths...), append([]int(nil), ref.Depths...)
		edit(&c)
		return c
	}
	vs := []Variant{{"base", "baseline", with(func(c *Config) { c.Blocks = 0 })}}
	add := func(group, name string, c Config) {
		for _, v := range vs {
			if v.Cfg.Equal(c) {
				return
			}
		}
		if c.Validate() == nil {
			vs = append(vs, Variant{group, name, c})
		}
	}
	for _, p := range PairwiseNames {
		add("a", string(p), with(func(c *Config) {
			c.Pairwise = p
			if p == Concat {
				c.Scale = false
			}
		}))
	}
	for s := 2; s <= Stages+1; s++ {
		add("b", fmt.Sprintf("res%d", s), with(func(c *Config) { c.Stage = s }))
	}
	add("c", "5 blocks", with(func(c *Config) { c.Blocks = 5 }))
	if ref.Clip() {
		for _, e := range []string{Space, Time, SpaceTime} {
			add("d", e, with(func(c *Config) {
				c.Extent = e
				if e == Time {
					c.Subsample = false
				}
			}))
		}
	}
	return vs
}

// AblateOptions control Ablate.
type AblateOptions struct {
	Train     TrainOptions // budget and schedule of every run; Out is ignored
	Dir       string       // where the runs' models go (DIR/<variant>.safetensors)
	TestLimit int          // evaluate on the first TestLimit test samples (0: all)
	Only      []string     // run only these variants (by name); nil runs all
	// OnStart, if set, is called before a variant starts training.
	OnStart func(v Variant)
	// OnRow, if set, is called as soon as a variant is finished.
	OnRow func(r AblateRow)
}

// AblateRow is one trained and evaluated variant.
type AblateRow struct {
	Group    string  `json:"group"`
	Variant  string  `json:"variant"`
	Name     string  `json:"name"`
	ErrorPct float64 `json:"error_pct"`
	ValErr   float64 `json:"val_error_pct"`
	N        int     `json:"n"`
	GFLOPs   float64 `json:"gflops_per_clip"`
	Epochs   int     `json:"epochs"`
	Seconds  float64 `json:"train_seconds"`
	Model    string  `json:"model"`
}

// Ablate trains every variant of ref with the same budget and seed and
// evaluates each best model on the test split.
func Ablate(ref Config, opt AblateOptions) ([]AblateRow, error) {
	vs, err := PickVariants(ref, opt.Only)
	if err != nil {
		return nil, err
	}
	test, err := Open(ref.Task, "test", 0, opt.TestLimit)
	if err != nil {
		return nil, err
	}
	var rows []AblateRow
	for _, v := range vs {
		if opt.OnStart != nil {
			opt.OnStart(v)
		}
		topt := opt.Train
		topt.Out = filepath.Join(opt.Dir, strings.ReplaceAll(v.Name, " ", "")+".safetensors")
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
		if _, err := Train(v.Cfg, topt); err != nil {
			return rows, fmt.Errorf("variant %s: %w", v.Name, err)
		}
		m, err := Load(topt.Out)
		if err != nil {
			return rows, err
		}
		res := m.Evaluate(test, EvalOptions{Threads: topt.Threads})
		row := AblateRow{Group: v.Group, Variant: v.Name, Name: v.Cfg.Name(), ErrorPct: res.ErrorPct(), ValErr: last.Best.Value,
			N: res.N, GFLOPs: res.GFLOPs, Epochs: last.Epoch, Seconds: secs, Model: topt.Out}
		rows = append(rows, row)
		if opt.OnRow != nil {
			opt.OnRow(row)
		}
	}
	return rows, nil
}

// groupTitles name the parts of Table 2.
var groupTitles = map[string]string{
	"a": "(a) pairwise function, one block",
	"b": "(b) stage of the single block",
	"c": "(c) number of blocks",
	"d": "(d) space, time or spacetime",
}

// AblationMarkdown writes the rows as the paper's Table 2: one table per
// group, each with the baseline and, where it belongs, the reference row,
// and the paper's Kinetics top-1 where PAPERS.md records it.
func AblationMarkdown(rows []AblateRow, ref Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Task %s; reference %s.\n", ref.Task, ref.Name())
	var base, refRow *AblateRow
	for i := range rows {
		if rows[i].Group == "base" {
			base = &rows[i]
		}
		if rows[i].Group == "a" && rows[i].Variant == string(ref.Pairwise) {
			refRow = &rows[i]
		}
	}
	for _, g := range []string{"a", "b", "c", "d"} {
		var group []AblateRow
		for _, r := range rows {
			if r.Group == g {
				group = append(group, r)
			}
		}
		// The reference row stands in every group it belongs to.
		if refRow != nil && refRow.Group != g && (g != "d" || ref.Clip()) {
			group = append(group, *refRow)
		}
		if len(group) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n\n", groupTitles[g])
		b.WriteString("| model | test error % | val error % | GFLOPs/clip | train s | epochs | paper top-1 (Kinetics) |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|\n")
		if base != nil {
			writeRow(&b, *base)
		}
		for _, r := range group {
			writeRow(&b, r)
		}
	}
	return b.String()
}

func writeRow(b *strings.Builder, r AblateRow) {
	paper := "—"
	key := r.Variant
	if r.Group == "base" {
		key = "baseline"
	}
	if v, ok := paperTop1[key]; ok && (r.Group == "base" || r.Group == "a" || r.Group == "c") {
		paper = fmt.Sprintf("%.1f", v)
	}
	fmt.Fprintf(b, "| %s | %.2f | %.2f | %.4f | %.0f | %d | %s |\n", r.Name, r.ErrorPct, r.ValErr, r.GFLOPs, r.Seconds, r.Epochs, paper)
}

// PickVariants returns the variants of ref named in only (all of them
// when only is empty), or an error naming the ones there are.
func PickVariants(ref Config, only []string) ([]Variant, error) {
	return trainrun.Pick(Variants(ref), func(v Variant) string { return v.Name }, only)
}
