package ram

import "fmt"

// A Point is a glimpse location as a person gives it, before the image
// it applies to is known: the image centre, normalised coordinates in
// [-1, 1] (0,0 the centre, -1,-1 the top-left corner), or pixels from the
// top-left corner (0,0) to the bottom-right one (W,H).
type Point struct {
	X, Y   float64 // normalised, or pixels when Pixels is set
	Pixels bool
	Centre bool // the image centre, whatever X and Y say
}

// Resolve returns the point on a w×h image in the sensor's normalised
// coordinates. A pixel point beyond the image's far edges is an error;
// normalised points are taken as they are.
func (p Point) Resolve(w, h int) (lx, ly float32, err error) {
	switch {
	case p.Centre:
		return 0, 0, nil
	case p.Pixels:
		if p.X > float64(w) || p.Y > float64(h) {
			return 0, 0, fmt.Errorf("pixel %g,%g is outside the %dx%d image", p.X, p.Y, w, h)
		}
		return Location(p.X, w), Location(p.Y, h), nil
	}
	return float32(p.X), float32(p.Y), nil
}
