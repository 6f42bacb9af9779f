// Package testimg draws the synthetic pictures that the denoising tests
// of pkg/nlmeans and cmd/nonlocal share.
package testimg

import (
	"math"
	"math/rand/v2"
)

// Synthetic draws a c-channel test picture in 0..255: flat rectangles, a
// disc, a ramp and thin stripes, so a denoiser meets flat areas, edges,
// smooth gradients and fine texture.
func Synthetic(c, h, w int) []float32 {
	img := make([]float32, c*h*w)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := 60.0 + 40*float64(ch)
				if x > w/4 && x < w/2 && y > h/5 && y < h/2 {
					v = 200 - 50*float64(ch)
				}
				dx, dy := float64(x-3*w/4), float64(y-h/3)
				if dx*dx+dy*dy < float64(h*h)/49 {
					v = 30 + 90*float64(ch)
				}
				if y > 2*h/3 {
					v = 255 * float64(x) / float64(w-1)
				}
				if y > h/2 && y < 2*h/3 && (x/3)%2 == 0 {
					v = 180
				}
				img[(ch*h+y)*w+x] = float32(v)
			}
		}
	}
	return img
}

// Noisy adds seeded Gaussian noise of standard deviation sigma, clamped
// to 0..255.
func Noisy(clean []float32, sigma float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]float32, len(clean))
	for i, v := range clean {
		out[i] = float32(math.Min(255, math.Max(0, float64(v)+sigma*rng.NormFloat64())))
	}
	return out
}
