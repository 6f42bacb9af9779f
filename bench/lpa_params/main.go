// Command lpa_params prints the size of the parameters of LPA models that
// are not convolutions or batch norms: the global feature's dense layer
// and projections, each level's compatibility vector u and the
// classifiers. It shows what training left alive: with pc compatibility
// and a softmax over space, ⟨u, g⟩ is the same at every position and
// cancels, so g and its projections get no gradient and weight decay
// shrinks them towards zero; a u near zero is a level whose attention
// stayed uniform.
//
//	go run ./bench/lpa_params [MODEL ...]   (default: att baseline)
//
// MODEL is a .safetensors file or the name of an embedded model.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"strings"

	lpamodels "github.com/attnkit/attn/models/lpa"
	"github.com/attnkit/attn/pkg/lpa"
)

func main() {
	all := flag.Bool("all", false, "print the convolution blocks' parameters too")
	flag.Parse()
	models := flag.Args()
	if len(models) == 0 {
		models = []string{"att", "baseline"}
	}
	for _, name := range models {
		m, err := load(name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n\n| tensor | shape | rms | max |x| |\n|---|---|---:|---:|\n", name)
		for _, p := range m.Params() {
			if !*all && strings.HasPrefix(p.Name, "block") {
				continue
			}
			var mx float64
			for _, v := range p.Value.Data {
				mx = math.Max(mx, math.Abs(float64(v)))
			}
			fmt.Printf("| %s | %v | %.3g | %.3g |\n", p.Name, p.Value.Shape, rms(p.Value.Data), mx)
		}
		fmt.Println()
		concatShares(m)
	}
}

// concatShares prints, for a concat head, the rms of the classifier's
// weights on each level's descriptor g_a^s: how much the classifier
// listens to each level. The columns of classify.weight follow
// AttnLevels, each LevelWidth wide.
func concatShares(m *lpa.Model) {
	cfg := m.Cfg
	if !cfg.Attention || cfg.Head != "concat" {
		return
	}
	var w []float32
	for _, p := range m.Params() {
		if p.Name == "classify.weight" {
			w = p.Value.Data
		}
	}
	cols := 0
	for _, lv := range cfg.AttnLevels() {
		cols += cfg.LevelWidth(lv)
	}
	fmt.Print("classify.weight by level:")
	lo := 0
	for _, lv := range cfg.AttnLevels() {
		hi := lo + cfg.LevelWidth(lv)
		var part []float32
		for r := 0; r < cfg.Classes; r++ {
			part = append(part, w[r*cols+lo:r*cols+hi]...)
		}
		fmt.Printf(" level %d rms %.3g;", lv, rms(part))
		lo = hi
	}
	fmt.Print("\n\n")
}

func rms(x []float32) float64 {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	return math.Sqrt(ss / float64(max(len(x), 1)))
}

// load reads a model file, or an embedded model by name; lpa.FromFile
// checks the format, config, names and shapes.
func load(name string) (*lpa.Model, error) {
	if _, ok := lpamodels.Bytes(name); ok {
		return lpamodels.Load(name)
	}
	return lpa.Load(name)
}
