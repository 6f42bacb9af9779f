package ram

import "testing"

func TestPointResolve(t *testing.T) {
	for _, c := range []struct {
		at     Point
		w, h   int
		cx, cy float64
		lx, ly float32
		ok     bool
	}{
		{Point{Centre: true}, 40, 30, 20, 15, 0, 0, true},
		{Point{X: -1, Y: 1}, 40, 30, 0, 30, -1, 1, true},
		{Point{X: 10, Y: 30, Pixels: true}, 40, 30, 10, 30, -0.5, 1, true},
		{Point{X: 41, Y: 0, Pixels: true}, 40, 30, 0, 0, 0, 0, false},
	} {
		lx, ly, err := c.at.Resolve(c.w, c.h)
		cx, cy := Centre(lx, c.w), Centre(ly, c.h)
		if (err == nil) != c.ok || (c.ok && (cx != c.cx || cy != c.cy || lx != c.lx || ly != c.ly)) {
			t.Errorf("%+v.Resolve(%d,%d) = %v,%v (%v,%v px) %v", c.at, c.w, c.h, lx, ly, cx, cy, err)
		}
	}
}
