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
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/lpa"
)

func main() {
	all := flag.Bool("all", false, "print every tensor, convolutions and batch norms too")
	flag.Parse()
	models := flag.Args()
	if len(models) == 0 {
		models = []string{"att", "baseline"}
	}
	for _, m := range models {
		f, err := open(m)
		if err != nil {
			log.Fatalf("%s: %v", m, err)
		}
		fmt.Printf("%s\n\n| tensor | shape | rms | max |x| |\n|---|---|---:|---:|\n", m)
		for _, name := range f.Names() {
			if !*all && strings.HasPrefix(name, "block") {
				continue
			}
			t, err := f.Tensor(name)
			if err != nil {
				continue // integer buffers (batch counts)
			}
			var ss, mx float64
			for _, v := range t.Data {
				ss += float64(v) * float64(v)
				mx = math.Max(mx, math.Abs(float64(v)))
			}
			rms := math.Sqrt(ss / float64(max(len(t.Data), 1)))
			fmt.Printf("| %s | %v | %.3g | %.3g |\n", name, t.Shape, rms, mx)
		}
		fmt.Println()
		concatShares(f)
	}
}

// concatShares prints, for a concat head, the rms of the classifier's
// weights on each level's descriptor g_a^s: how much the classifier
// listens to each level.
func concatShares(f *ckpt.File) {
	var cfg lpa.Config
	if err := ckpt.GetJSON(f.Metadata, "config", &cfg); err != nil || !cfg.Attention || cfg.Head != "concat" {
		return
	}
	w, err := f.Tensor("classify.weight")
	if err != nil || len(w.Shape) != 2 {
		return
	}
	rows, cols := w.Shape[0], w.Shape[1]
	line, lo := "classify.weight by level:", 0
	for _, lv := range cfg.AttnLevels() {
		hi := lo + cfg.LevelWidth(lv)
		if hi > cols {
			return // not the layout this config describes
		}
		var ss float64
		for r := 0; r < rows; r++ {
			for _, v := range w.Data[r*cols+lo : r*cols+hi] {
				ss += float64(v) * float64(v)
			}
		}
		line += fmt.Sprintf(" level %d rms %.3g;", lv, math.Sqrt(ss/float64(rows*(hi-lo))))
		lo = hi
	}
	fmt.Print(line)
	fmt.Print("\n\n")
}

func open(m string) (*ckpt.File, error) {
	if b, ok := lpamodels.Model(m); ok {
		return ckpt.ReadBytes(b, m)
	}
	return ckpt.Read(m)
}
