// Command mkfixtures writes the tiny data fixtures pkg/data's tests read
// (go generate in pkg/data runs it): CIFAR-10 and CIFAR-100 binary files
// with a few records, a truncated CIFAR-10 file, and an ImageFolder tree of
// 1×1 images. The content is a fixed pattern, so reruns give the same bytes.
package main

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"log"
	"os"
	"path/filepath"
)

const imageBytes = 3 * 32 * 32

// record returns one CIFAR record: the label bytes, then pixels following
// a pattern tied to the record number so tests can check the order.
func record(n int, labels ...byte) []byte {
	r := append([]byte{}, labels...)
	for j := 0; j < imageBytes; j++ {
		r = append(r, byte(n*7+j))
	}
	return r
}

func write(path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}

func onePixel(c color.RGBA, enc func(*bytes.Buffer, image.Image) error) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, c)
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

func main() {
	out := flag.String("out", "testdata/data", "fixture folder")
	flag.Parse()

	// CIFAR-10: one record per training batch (labels 1..5), three test
	// records (labels 3, 8, 0).
	c10 := filepath.Join(*out, "cifar-10-batches-bin")
	for i := 1; i <= 5; i++ {
		write(filepath.Join(c10, "data_batch_"+string(rune('0'+i))+".bin"), record(i, byte(i)))
	}
	var test []byte
	for n, l := range []byte{3, 8, 0} {
		test = append(test, record(n, l)...)
	}
	write(filepath.Join(c10, "test_batch.bin"), test)
	write(filepath.Join(c10, "batches.meta.txt"), []byte("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"))
	write(filepath.Join(*out, "cifar10-truncated.bin"), test[:len(test)-100])

	// CIFAR-100: two training records (coarse, fine) = (4, 30), (19, 99);
	// one test record (0, 0).
	c100 := filepath.Join(*out, "cifar-100-binary")
	write(filepath.Join(c100, "train.bin"), append(record(0, 4, 30), record(1, 19, 99)...))
	write(filepath.Join(c100, "test.bin"), record(0, 0, 0))

	// ImageFolder: classes cat and dog; upper-case extensions count, a
	// text file and a top-level file do not; cat/sub is found recursively
	// after cat's own files.
	pngEnc := func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }
	jpgEnc := func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }
	gifEnc := func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) }
	f := filepath.Join(*out, "imagefolder")
	write(filepath.Join(f, "cat", "b.png"), onePixel(color.RGBA{255, 0, 0, 255}, pngEnc))
	write(filepath.Join(f, "cat", "a.PNG"), onePixel(color.RGBA{0, 255, 0, 255}, pngEnc))
	write(filepath.Join(f, "cat", "notes.txt"), []byte("not an image\n"))
	write(filepath.Join(f, "cat", "sub", "c.jpg"), onePixel(color.RGBA{0, 0, 255, 255}, jpgEnc))
	write(filepath.Join(f, "dog", "x.gif"), onePixel(color.RGBA{255, 255, 255, 255}, gifEnc))
	write(filepath.Join(f, "readme.png"), onePixel(color.RGBA{0, 0, 0, 255}, pngEnc))
}
