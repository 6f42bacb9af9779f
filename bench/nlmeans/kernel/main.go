// Command kernel times pkg/nlmeans in process, for bench/nlmeans.sh: it
// decodes one PNG, denoises it ROUNDS times with nlmeans.DenoiseImage (as
// `nonlocal denoise` does) and the default settings (7×7 patches, 21×21
// search, nlmeans.DefaultH) and prints the best time in seconds and the
// noise level EstimateSigma finds in the picture.
//
// Usage: go run ./bench/nlmeans/kernel IN.png SIGMA [THREADS [ROUNDS]]
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/nlmeans"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: kernel IN.png SIGMA [THREADS [ROUNDS]]")
		os.Exit(2)
	}
	sigma, err := strconv.ParseFloat(os.Args[2], 64)
	check(err)
	threads, rounds := 1, 1
	if len(os.Args) > 3 {
		threads, err = strconv.Atoi(os.Args[3])
		check(err)
	}
	if len(os.Args) > 4 {
		rounds, err = strconv.Atoi(os.Args[4])
		check(err)
	}
	img, err := imageio.Open(os.Args[1], imageio.Options{})
	check(err)
	t := imageio.ToTensor(img, imageio.IsGray(img))
	c, h, w := t.Shape[0], t.Shape[1], t.Shape[2]
	px := make([]float32, len(t.Data))
	for i, v := range t.Data {
		px[i] = v * 255
	}
	best := time.Duration(1 << 62)
	for range rounds {
		start := time.Now()
		_, _, err := nlmeans.DenoiseImage(img, imageio.IsGray(img), nlmeans.Params{Patch: 7, Search: 21, Sigma: sigma}, threads)
		check(err)
		best = min(best, time.Since(start))
	}
	fmt.Printf("%.4f %.2f\n", best.Seconds(), nlmeans.EstimateSigma(px, c, h, w))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kernel:", err)
		os.Exit(1)
	}
}
