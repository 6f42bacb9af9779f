package nlmeans

import (
	"fmt"
	"testing"

	"github.com/attnkit/attn/internal/testimg"
)

// BenchmarkDenoise times the default filter (7×7 patches, 21×21 search, DefaultH)
// on synthetic pictures quantised to 8-bit levels, from 512² to 16
// megapixels, on one thread and on all; it reports nanoseconds per pixel
// so that the sizes compare. Run the 16 MP case alone with
// -bench 'Denoise/.*4096' (it takes several seconds per call).
func BenchmarkDenoise(b *testing.B) {
	for _, c := range []int{1, 3} {
		for _, side := range []int{512, 1024, 4096} {
			var img []float32 // drawn by the first sub-benchmark that runs
			p := Params{Patch: 7, Search: 21, Sigma: 20, H: DefaultH(20)}
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("c=%d/%dx%d/threads=%d", c, side, side, threads), func(b *testing.B) {
					if img == nil {
						img = testimg.Noisy(testimg.Synthetic(c, side, side), 20, 1)
						for i, v := range img {
							img[i] = quantiseLevel(v)
						}
					}
					for b.Loop() {
						Denoise(img, c, side, side, p, threads)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(side*side), "ns/px")
				})
			}
		}
	}
}
