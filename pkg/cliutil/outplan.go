package cliutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/attnkit/attn/pkg/imageio"
)

// An Output is one kind of artifact made from every input, named
// <stem><Suffix>.<Ext> after the input (see imageio.OutputPath).
type Output struct {
	Suffix string
	Ext    string // "png", "gif", ...
}

// OutputPlan holds the artifact paths of every input of a batch, named
// before anything is written, or why an input gets none.
type OutputPlan struct {
	index map[string]int // input as given -> its first position
	paths [][]string
	errs  []error
}

// PlanOutputs names every input's artifacts in outDir, one per Output,
// with the rule the tools share:
//
//   - each input's artifacts get imageio.OutputPath names, except that
//     inputs whose first artifact names would collide (compared
//     case-insensitively, since macOS and Windows file systems fold case)
//     all get imageio.HashedOutputPath names instead;
//   - an input whose artifact would replace any of the inputs (the same
//     absolute path, or the same file on disk through a link or a
//     case-insensitive file system) gets an error and no paths, so a batch
//     writing into a folder it also reads can never overwrite a picture it
//     was asked to read. The other inputs are still planned.
func PlanOutputs(outDir string, inputs []string, outputs ...Output) *OutputPlan {
	p := &OutputPlan{index: make(map[string]int, len(inputs)), paths: make([][]string, len(inputs)), errs: make([]error, len(inputs))}
	if len(outputs) == 0 {
		return p
	}
	first := outputs[0]
	folded := make([]string, len(inputs))
	owners := map[string]map[string]bool{} // folded name -> distinct inputs
	for i, in := range inputs {
		if _, dup := p.index[in]; !dup {
			p.index[in] = i
		}
		name, err := imageio.OutputPath(outDir, in, first.Suffix, first.Ext)
		if err != nil {
			continue
		}
		folded[i] = strings.ToLower(name)
		if owners[folded[i]] == nil {
			owners[folded[i]] = map[string]bool{}
		}
		owners[folded[i]][filepath.Clean(in)] = true
	}
	guard := newInputGuard(inputs)
	for i, in := range inputs {
		name := imageio.OutputPath
		if len(owners[folded[i]]) > 1 {
			name = imageio.HashedOutputPath
		}
		for _, o := range outputs {
			path, err := name(outDir, in, o.Suffix, o.Ext)
			if err == nil {
				switch victim := guard.hits(path); {
				case victim == in:
					// The failure line names the input already.
					err = fmt.Errorf("output %s would overwrite the input itself (choose another output folder or suffix)", path)
				case victim != "":
					err = fmt.Errorf("output %s would overwrite the input %s (choose another output folder or suffix)", path, victim)
				}
			}
			if err != nil {
				p.paths[i], p.errs[i] = nil, err
				break
			}
			p.paths[i] = append(p.paths[i], path)
		}
	}
	return p
}

// For returns the artifact paths of an input of the batch, in the order
// of the outputs asked for, or why it has none.
func (p *OutputPlan) For(input string) ([]string, error) {
	i, ok := p.index[input]
	if !ok {
		return nil, fmt.Errorf("%s was not planned", input)
	}
	return p.paths[i], p.errs[i]
}

// inputGuard answers "is this path one of the inputs?", by cleaned
// absolute path and, for files that exist, by identity on disk (links,
// case-insensitive file systems).
type inputGuard struct {
	abs    map[string]string   // absolute path -> input as given
	byBase map[string][]string // lower-case base name -> inputs
}

func newInputGuard(inputs []string) *inputGuard {
	g := &inputGuard{abs: map[string]string{}, byBase: map[string][]string{}}
	for _, in := range inputs {
		if a, err := filepath.Abs(in); err == nil {
			g.abs[a] = in
		}
		b := strings.ToLower(filepath.Base(in))
		g.byBase[b] = append(g.byBase[b], in)
	}
	return g
}

// hits returns the input that path would overwrite, or "".
func (g *inputGuard) hits(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		if in, ok := g.abs[a]; ok {
			return in
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return "" // nothing there yet, so nothing to overwrite
	}
	for _, in := range g.byBase[strings.ToLower(filepath.Base(path))] {
		if si, err := os.Stat(in); err == nil && os.SameFile(st, si) {
			return in
		}
	}
	return ""
}
