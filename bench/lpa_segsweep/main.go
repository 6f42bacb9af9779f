// Command lpa_segsweep scores segmentation rules on the validation split
// of the built-in LPA task, to choose the rule `lpa eval --segment` uses
// without looking at the test set: for each map (attention scores or
// weights of each level, their combinations, the baseline's CAM) and each
// threshold of the min-max normalised, upsampled map it prints the mean
// IoU with the ground-truth masks.
//
//	go run ./bench/lpa_segsweep [-att att] [-baseline baseline] [-n 1000]
//
// -att and -baseline take a .safetensors file or the name of an embedded
// model (att, baseline); an empty value skips that model.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"sort"

	lpamodels "github.com/attnkit/attn/models/lpa"
	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/vec"
	"github.com/attnkit/attn/pkg/viz"
)

// thresholds on the normalised map; -1 stands for Otsu's threshold of
// each image's map (256-bin histogram).
var thresholds = []float32{0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, -1}

func main() {
	attPath := flag.String("att", "att", "attention model: a file or an embedded name")
	basePath := flag.String("baseline", "baseline", "baseline model (CAM): a file or an embedded name")
	n := flag.Int("n", 1000, "validation images")
	flag.Parse()
	sums := map[string][]float64{}
	count := 0 // images per model (the same for both)
	add := func(name string, up *tensor.Tensor, mask []bool) {
		if sums[name] == nil {
			sums[name] = make([]float64, len(thresholds))
		}
		norm(up)
		for ti, th := range thresholds {
			if th < 0 {
				th = otsu(up.Data)
			}
			bin := make([]bool, len(mask))
			for i, v := range up.Data {
				bin[i] = v >= th
			}
			sums[name][ti] += lpa.IoU(bin, mask)
		}
	}
	for _, path := range []string{*attPath, *basePath} {
		if path == "" {
			continue
		}
		m, err := load(path)
		if err != nil {
			log.Fatal(err)
		}
		m.Train(false)
		// Each model on the validation images of the task it was trained on.
		ds, err := lpa.Open(lpa.Source{Kind: "builtin"}.For(m.Cfg), "val", lpa.DataOptions{Limit: *n})
		if err != nil {
			log.Fatal(err)
		}
		S := m.Cfg.Side
		count = ds.Len()
		md := ds.(lpa.Masked)
		img := make([]float32, 3*S*S)
		mask := make([]bool, S*S)
		tp := autograd.NewInference()
		for i := 0; i < ds.Len(); i++ {
			md.LoadMasked(i, img, mask)
			out := m.Forward(tp, tp.Const(tensor.FromData(img, 1, 3, S, S)))
			pred := vec.Argmax(out.Logits.Value.Data)
			if !m.Cfg.Attention {
				cam, err := m.CAM(out, 0, pred)
				if err != nil {
					log.Fatal(err)
				}
				add("cam", up(cam, S), mask)
				tp.Reset()
				continue
			}
			var ups []*tensor.Tensor
			for _, lv := range m.Cfg.AttnLevels() {
				for _, att := range []bool{false, true} {
					mp, err := m.SegmentMap(out, 0, pred, lpa.SegMap{Level: lv, Attention: att})
					if err != nil {
						log.Fatal(err)
					}
					u := up(mp, S)
					name := fmt.Sprintf("L%d-%s", lv, map[bool]string{false: "scores", true: "attn"}[att])
					if !att {
						norm(u)
						ups = append(ups, u.Clone())
					}
					add(name, u, mask)
				}
			}
			// Combinations of the normalised score maps.
			if len(ups) >= 2 {
				add("L1*L2", prod(ups[0], ups[1]), mask)
				add("mean(L1,L2)", mean(ups[:2]), mask)
				add("mean(all)", mean(ups), mask)
			}
			if len(ups) >= 3 {
				add("L2*L3", prod(ups[1], ups[2]), mask)
				add("L1*L2*L3", prod(prod(ups[0], ups[1]), ups[2]), mask)
			}
			tp.Reset()
		}
	}
	names := make([]string, 0, len(sums))
	for k := range sums {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Printf("| map |")
	for _, th := range thresholds {
		if th < 0 {
			fmt.Printf(" Otsu |")
			continue
		}
		fmt.Printf(" %.2f |", th)
	}
	fmt.Printf("\n|---|")
	for range thresholds {
		fmt.Printf("---:|")
	}
	fmt.Println()
	for _, k := range names {
		fmt.Printf("| %s |", k)
		for _, s := range sums[k] {
			fmt.Printf(" %.3f |", s/float64(count))
		}
		fmt.Println()
	}
}

// load reads a model file, or an embedded model by name.
func load(path string) (*lpa.Model, error) {
	if _, ok := lpamodels.Bytes(path); ok {
		return lpamodels.Load(path)
	}
	return lpa.Load(path)
}

func up(m *tensor.Tensor, S int) *tensor.Tensor {
	u, err := viz.Upsample(m, S, S)
	if err != nil {
		log.Fatal(err)
	}
	return u
}

func norm(t *tensor.Tensor) {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range t.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	if !(hi > lo) {
		clear(t.Data)
		return
	}
	for i, v := range t.Data {
		t.Data[i] = (v - lo) / (hi - lo)
	}
}

func prod(a, b *tensor.Tensor) *tensor.Tensor {
	o := a.Clone()
	for i := range o.Data {
		o.Data[i] *= b.Data[i]
	}
	return o
}

func mean(ts []*tensor.Tensor) *tensor.Tensor {
	o := ts[0].Clone()
	for _, t := range ts[1:] {
		for i := range o.Data {
			o.Data[i] += t.Data[i]
		}
	}
	return o
}

// otsu returns the threshold in [0, 1] that maximises the between-class
// variance of values in [0, 1].
func otsu(v []float32) float32 {
	var hist [256]float64
	for _, x := range v {
		hist[min(255, max(0, int(x*255)))]++
	}
	total := float64(len(v))
	var sumAll float64
	for i, h := range hist {
		sumAll += float64(i) * h
	}
	var wB, sumB, best float64
	bestT := 127
	for t := 0; t < 256; t++ {
		wB += hist[t]
		if wB == 0 || wB == total {
			continue
		}
		sumB += float64(t) * hist[t]
		mB, mF := sumB/wB, (sumAll-sumB)/(total-wB)
		if bv := wB * (total - wB) * (mB - mF) * (mB - mF); bv > best {
			best, bestT = bv, t
		}
	}
	return (float32(bestT) + 0.5) / 255
}
