// Command bigphoto writes a photo-sized JPEG for bench/bigphoto.sh: smooth
// gradients with seeded noise on top, so that it costs as much to decode
// as a camera picture (a flat picture would decode faster than a real one).
//
// Usage: go run ./bench/bigphoto -size 4000 -out photo.jpg
package main

import (
	"flag"
	"image"
	"image/jpeg"
	"log"
	"math/rand/v2"
	"os"
)

func main() {
	size := flag.Int("size", 4000, "width and height in pixels")
	out := flag.String("out", "photo.jpg", "the JPEG to write")
	flag.Parse()
	if *size < 1 || *size > 20000 {
		log.Fatalf("-size %d: want 1..20000", *size)
	}
	n := *size
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			p := img.Pix[img.PixOffset(x, y):]
			noise := uint8(rng.IntN(24))
			p[0] = uint8(x*255/n) + noise
			p[1] = uint8(y*255/n) + noise
			p[2] = uint8((x+y)*127/n) ^ noise
			p[3] = 255
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
