// Command picture assembles the denoising picture of the README for
// bench/nlmeans_picture.sh: one row per photograph, four crops side by
// side (clean, noisy, OpenCV, ours), each captioned with its method and
// the PSNR of the whole picture against the clean one. The crops are
// enlarged with nearest neighbour so that noise and lost detail stay
// visible pixel by pixel.
//
// Usage: go run ./bench/nlmeans/picture -o OUT.png [-size 192 -zoom 2 -sigma 20] \
//
//	NAME X Y CLEAN NOISY OPENCV OURS [NAME X Y CLEAN NOISY OPENCV OURS ...]
//
// X, Y is the top-left corner of the crop in the photograph. It prints
// one line per photograph: name and the PSNR in dB of noisy, OpenCV and
// ours.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"log"
	"strconv"

	"github.com/attnkit/attn/pkg/atomicfile"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nlmeans"
	"github.com/attnkit/attn/pkg/viz"
)

func main() {
	out := flag.String("o", "denoise.png", "the PNG to write")
	size := flag.Int("size", 192, "side of the square crop, in pixels of the photograph")
	zoom := flag.Int("zoom", 2, "whole enlargement factor of the crops (nearest neighbour)")
	sigma := flag.Float64("sigma", 20, "noise level, for the caption")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || len(args)%7 != 0 {
		log.Fatal("want groups of 7 arguments: NAME X Y CLEAN NOISY OPENCV OURS")
	}
	var rows []image.Image
	for ; len(args) > 0; args = args[7:] {
		name := args[0]
		x, err := strconv.Atoi(args[1])
		check(err)
		y, err := strconv.Atoi(args[2])
		check(err)
		imgs := make([]image.Image, 4)
		for i, path := range args[3:7] {
			imgs[i], err = imageio.Open(path, imageio.Options{})
			check(err)
		}
		crop := image.Rect(x, y, x+*size, y+*size)
		if !crop.In(imgs[0].Bounds()) {
			log.Fatalf("%s: crop %v outside the picture %v", name, crop, imgs[0].Bounds())
		}
		db := make([]float64, 3)
		for i := range db {
			db[i] = psnr(imgs[0], imgs[i+1])
		}
		fmt.Printf("%s noisy %.2f dB, OpenCV %.2f dB, ours %.2f dB\n", name, db[0], db[1], db[2])
		captions := []string{
			name + ", clean",
			fmt.Sprintf("noisy (sigma %g): %.2f dB", *sigma, db[0]),
			fmt.Sprintf("OpenCV: %.2f dB", db[1]),
			fmt.Sprintf("nonlocal denoise: %.2f dB", db[2]),
		}
		tiles := make([]image.Image, 4)
		for i, img := range imgs {
			tiles[i] = viz.Enlarge(cropped(img, crop), *zoom)
		}
		rows = append(rows, viz.Strip(tiles, captions, 4, color.White))
	}
	sheet := viz.Grid(rows, 1, 0, color.White)
	// Best compression: the picture is committed and shown on the README.
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	check(atomicfile.Write(*out, func(w io.Writer) error { return enc.Encode(w, sheet) }))
}

// cropped copies r of img into a picture of its own, gray if img is gray,
// so that Enlarge keeps gray pictures gray.
func cropped(img image.Image, r image.Rectangle) image.Image {
	var dst draw.Image = image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	if imageio.IsGray(img) {
		dst = image.NewGray(dst.Bounds())
	}
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

// psnr scores img against clean over the whole picture, in 8-bit levels
// and on the channels the clean picture has (one for gray, three for
// colour), as bench/nlmeans/psnr.py does.
func psnr(clean, img image.Image) float64 {
	if clean.Bounds().Size() != img.Bounds().Size() {
		log.Fatalf("sizes differ: %v and %v", clean.Bounds(), img.Bounds())
	}
	gray := imageio.IsGray(clean)
	a, b := imageio.ToTensor(clean, gray), imageio.ToTensor(img, gray)
	levels := func(d []float32) []float32 {
		out := make([]float32, len(d))
		for i, v := range d {
			out[i] = float32(int(v*255 + 0.5))
		}
		return out
	}
	return nlmeans.PSNR(levels(a.Data), levels(b.Data))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
