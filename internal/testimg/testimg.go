// Package testimg draws the synthetic pictures that tests share: the
// denoising tests of pkg/nlmeans and cmd/nonlocal (Synthetic, Noisy) and
// the in-domain checks of pkg/domain and the tools (Photo).
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

// Photo draws a c-channel picture in 0..255 with the statistics of an
// outdoor photograph rather than of a digit on black: a sky that
// brightens towards the horizon, a sun, sunlit ground with soft blotches
// of vegetation, no pure black anywhere, and a little sensor noise
// (seeded). Domain checks use it as the input a digit or texture model
// was not made for.
func Photo(c, h, w int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	type blotch struct{ x, y, r, shade float64 }
	var blotches []blotch
	for range 6 {
		blotches = append(blotches, blotch{rng.Float64() * float64(w), float64(h)*0.55 + rng.Float64()*float64(h)*0.45,
			float64(min(h, w)) * (0.08 + 0.12*rng.Float64()), 0.5 + 0.3*rng.Float64()})
	}
	sky := [3]float64{90, 150, 235}
	ground := [3]float64{110, 150, 60}
	img := make([]float32, c*h*w)
	horizon := float64(h) * 0.5
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			var rgb [3]float64
			if fy < horizon {
				t := fy / horizon // brighter towards the horizon
				for k := range rgb {
					rgb[k] = sky[k] + (235-sky[k])*t*0.7
				}
				dx, dy := fx-float64(w)*0.75, fy-horizon*0.35
				if d := math.Sqrt(dx*dx + dy*dy); d < float64(min(h, w))*0.09 {
					rgb = [3]float64{255, 240, 180}
				}
			} else {
				t := (fy - horizon) / (float64(h) - horizon)
				for k := range rgb {
					rgb[k] = ground[k] * (1.1 - 0.3*t)
				}
				for _, b := range blotches {
					dx, dy := fx-b.x, fy-b.y
					if a := math.Exp(-(dx*dx + dy*dy) / (2 * b.r * b.r)); a > 0.01 {
						for k := range rgb {
							rgb[k] *= 1 - a*(1-b.shade)
						}
					}
				}
			}
			for ch := 0; ch < c; ch++ {
				v := rgb[ch%3]
				if c == 1 { // BT.601 luma
					v = 0.299*rgb[0] + 0.587*rgb[1] + 0.114*rgb[2]
				}
				img[(ch*h+y)*w+x] = float32(math.Min(255, math.Max(0, v+3*rng.NormFloat64())))
			}
		}
	}
	return img
}
