package data

import (
	"math/rand/v2"
)

// fakeDigits returns n synthetic "digits": a filled rectangle of random size
// and grey level at a random place inside the 28×28 frame (label i%10), so
// the canvas code can be tested without the MNIST files.
func fakeDigits(n int, seed uint64) *Digits {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &Digits{Split: "fake", Images: make([][DigitPixels]uint8, n), Labels: make([]uint8, n)}
	for i := range d.Images {
		w, h := 4+rng.IntN(16), 6+rng.IntN(16)
		x0, y0 := rng.IntN(DigitSize-w+1), rng.IntN(DigitSize-h+1)
		for y := y0; y < y0+h; y++ {
			for x := x0; x < x0+w; x++ {
				d.Images[i][y*DigitSize+x] = uint8(100 + rng.IntN(156))
			}
		}
		d.Labels[i] = uint8(i % 10)
	}
	return d
}
