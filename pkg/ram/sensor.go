// Package ram is the Recurrent Attention Model of Mnih, Heess, Graves and
// Kavukcuoglu (NIPS 2014, "Recurrent Models of Visual Attention"): a glimpse
// sensor, a recurrent core, a Gaussian location policy trained with
// REINFORCE and a classifier trained with cross-entropy.
package ram

import "fmt"

// Sensor is the retina of Section 3 of the paper: Scales square patches
// centred on one location, the first Patch×Patch pixels wide and each next
// one twice as wide as the one before, every patch reduced to Patch×Patch
// and all of them stacked. Pixels outside the image read as zero.
type Sensor struct {
	Patch  int // g: side of the first patch and of every output patch
	Scales int // k: number of patches
}

// Validate reports a sensor setting that cannot work.
func (s Sensor) Validate() error {
	if s.Patch < 1 || s.Patch > 1024 {
		return fmt.Errorf("patch size %d out of range 1..1024", s.Patch)
	}
	if s.Scales < 1 || s.Scales > 8 {
		return fmt.Errorf("scales %d out of range 1..8", s.Scales)
	}
	return nil
}

// Size returns the number of values one glimpse holds per channel.
func (s Sensor) Size() int { return s.Scales * s.Patch * s.Patch }

// Centre converts a location l ∈ [-1, 1] on an axis of n pixels into a
// pixel coordinate: -1 is the outer edge of the first pixel, +1 the outer
// edge of the last, 0 the image centre.
func Centre(l float32, n int) float64 { return (float64(l) + 1) / 2 * float64(n) }

// Location converts a pixel coordinate back into [-1, 1] (not clamped).
func Location(px float64, n int) float32 { return float32(px/float64(n)*2 - 1) }

// Extract writes the retina of one image at location (lx, ly) into dst,
// laid out [Scales][C][Patch][Patch]. img is [C][H][W], row-major.
//
// The patch at scale s covers side = Patch·2^s pixels whose top-left corner
// is the centre minus side/2, rounded to the nearest pixel; it is reduced to
// Patch×Patch by averaging 2^s×2^s blocks (area resampling, so a coarse
// scale sees a blurred, not aliased, view). Rounding the corner to whole
// pixels makes the blocks exact: the sensor never interpolates.
func (s Sensor) Extract(dst, img []float32, c, h, w int, lx, ly float32) {
	g := s.Patch
	cx, cy := Centre(lx, w), Centre(ly, h)
	for sc := 0; sc < s.Scales; sc++ {
		f := 1 << sc
		side := g * f
		x0 := roundHalfUp(cx - float64(side)/2)
		y0 := roundHalfUp(cy - float64(side)/2)
		inv := 1 / float32(f*f)
		for ch := 0; ch < c; ch++ {
			plane := img[ch*h*w : (ch+1)*h*w]
			out := dst[(sc*c+ch)*g*g : (sc*c+ch+1)*g*g]
			if f == 1 {
				for i := 0; i < g; i++ {
					y := y0 + i
					row := out[i*g : (i+1)*g]
					if y < 0 || y >= h {
						clear(row)
						continue
					}
					src := plane[y*w : (y+1)*w]
					for j := range row {
						x := x0 + j
						if x < 0 || x >= w {
							row[j] = 0
						} else {
							row[j] = src[x]
						}
					}
				}
				continue
			}
			for i := 0; i < g; i++ {
				for j := 0; j < g; j++ {
					var sum float32
					by, bx := y0+i*f, x0+j*f
					for yy := max(by, 0); yy < min(by+f, h); yy++ {
						src := plane[yy*w : (yy+1)*w]
						for xx := max(bx, 0); xx < min(bx+f, w); xx++ {
							sum += src[xx]
						}
					}
					out[i*g+j] = sum * inv
				}
			}
		}
	}
}

// Box returns the pixel rectangle [x0, x1) × [y0, y1) that the patch at
// scale sc covers for location (lx, ly) on a w×h image. It may extend past
// the image.
func (s Sensor) Box(w, h int, lx, ly float32, sc int) (x0, y0, x1, y1 int) {
	side := s.Patch << sc
	x0 = roundHalfUp(Centre(lx, w) - float64(side)/2)
	y0 = roundHalfUp(Centre(ly, h) - float64(side)/2)
	return x0, y0, x0 + side, y0 + side
}

// roundHalfUp rounds to the nearest integer, halves upward, so that a
// location and its mirror image land on mirrored pixels consistently.
func roundHalfUp(v float64) int {
	r := int(v + 0.5)
	if float64(r) > v+0.5 { // int() truncates toward zero for negatives
		r--
	}
	return r
}
