//go:build ignore

// gen writes the sample images in this folder from the MNIST test digits:
// three cluttered 100×100 canvases of the glimpse paper (Mnih et al. 2014,
// section 4.1), one 96×96 colour scene of the captioning task, and the
// first four 64×64 textured digits of the lpa test set with their
// ground-truth masks (textured/). Run it
// from the repository root:
//
//	go run docs/samples/gen.go
//
// Output is deterministic (fixed seeds); rerunning rewrites the same files.
package main

import (
	"fmt"
	"image"
	"image/color"
	"log"

	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
)

func main() {
	task, err := data.TaskByName("cluttered100")
	check(err)
	gen, err := data.TestSet(task, data.DefaultTestSeed)
	check(err)
	for _, idx := range []int{0, 1, 2} {
		img, label, box, _ := gen.Sample(idx)
		cx, cy := box.Centre()
		name := fmt.Sprintf("docs/samples/cluttered-%d.png", idx)
		check(imageio.SavePNG(name, gray(img, task.Size)))
		fmt.Printf("%s\tdigit %d\tcentre %.1f,%.1f px of %dx%d\n", name, label, cx, cy, task.Size, task.Size)
	}
	digits, err := data.LoadMNIST("test")
	check(err)
	scene, err := data.GenerateScene(data.SampleRNG(7, 0), data.SceneConfig{Digits: digits, Size: 96})
	check(err)
	check(imageio.SavePNG("docs/samples/scene.png", rgb(scene.Image, scene.Size)))
	fmt.Printf("docs/samples/scene.png\t%s\n", joinCaption(scene.Captions[0]))

	tt := data.DefaultTextured()
	tg, err := data.TexturedTestSet(tt, data.TexturedTestSeed)
	check(err)
	for idx := 0; idx < 4; idx++ {
		s := tg.Sample(idx)
		name := fmt.Sprintf("docs/samples/textured/textured-%04d.png", idx)
		check(imageio.SavePNG(name, rgb(s.Image, tt.Size)))
		m := image.NewGray(image.Rect(0, 0, tt.Size, tt.Size))
		for i, on := range s.Mask {
			if on {
				m.Pix[i] = 255
			}
		}
		check(imageio.SavePNG(fmt.Sprintf("docs/samples/textured/textured-%04d_truth.png", idx), m))
		fmt.Printf("%s\tdigit %d\n", name, s.Label)
	}
}

func gray(v []float32, n int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, n, n))
	for i, x := range v {
		img.Pix[i] = to8(x)
	}
	return img
}

func rgb(v []float32, n int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	plane := n * n
	for i := 0; i < plane; i++ {
		img.Set(i%n, i/n, color.RGBA{to8(v[i]), to8(v[plane+i]), to8(v[2*plane+i]), 255})
	}
	return img
}

func to8(x float32) uint8 {
	if !(x > 0) {
		return 0
	}
	if x >= 1 {
		return 255
	}
	return uint8(x*255 + 0.5)
}

func joinCaption(ws []string) string {
	s := ""
	for i, w := range ws {
		if i > 0 {
			s += " "
		}
		s += w
	}
	return s
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
