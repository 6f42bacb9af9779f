// Command lpa_oracle prints the best mean IoU a map on each attention
// grid of the built-in LPA task can reach under the segmentation rule of
// `lpa eval --segment`: the ground-truth mask itself, average-pooled to the
// grid (16×16, 8×8, 4×4 on 64×64 images), then upsampled, normalised and
// thresholded at 0.5 (a cell is in when most of it is) by lpa.Binarise. It puts the models' mIoU in scale.
//
//	go run ./bench/lpa_oracle [-n 2000] [-task largest|fragments]
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/lpa"
	"github.com/attnkit/attn/pkg/tensor"
)

func main() {
	n := flag.Int("n", 2000, "test images (the first N of the fixed test set)")
	name := flag.String("task", data.DefaultTexturedName, "version of the built-in task")
	flag.Parse()
	task, err := data.TexturedByName(*name)
	if err != nil {
		log.Fatal(err)
	}
	gen, err := data.TexturedTestSet(task, data.TexturedTestSeed)
	if err != nil {
		log.Fatal(err)
	}
	S := task.Size
	*n = min(*n, gen.Len())
	for _, grid := range []int{16, 8, 4} {
		cell := S / grid
		var sum, cover float64
		for idx := 0; idx < *n; idx++ {
			s := gen.Sample(idx)
			m := tensor.New(grid, grid)
			ink := 0
			for y := 0; y < S; y++ {
				for x := 0; x < S; x++ {
					if s.Mask[y*S+x] {
						m.Data[(y/cell)*grid+x/cell] += 1 / float32(cell*cell)
						ink++
					}
				}
			}
			cover += float64(ink) / float64(S*S)
			b, err := lpa.Binarise(m, S, S, 0.5)
			if err != nil {
				log.Fatal(err)
			}
			sum += lpa.IoU(b, s.Mask)
		}
		fmt.Printf("grid %2d×%-2d  best mIoU %.3f  (the mask covers %.1f%% of the image; %d test images)\n",
			grid, grid, sum/float64(*n), 100*cover/float64(*n), *n)
	}
}
