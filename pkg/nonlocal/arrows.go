package nonlocal

import (
	"fmt"
	"slices"
	"sort"
)

// Point is a position in a model input: frame T (0 for an image) and
// pixel coordinates X, Y (continuous; a pixel's centre is at +0.5).
type Point struct {
	T    int
	X, Y float64
}

// Link is one key position a query attends to, at the centre of its cell
// of the block's (possibly subsampled) key grid, with its weight
// f(x_i, x_j)/C(x).
type Link struct {
	Point
	Weight float32
}

// siteGrid is the geometry of a site's query and key grids.
type siteGrid struct {
	t, h, w    int // query grid (t = 1 for images)
	kh, kw     int // key grid in space
	cell, kcel float64
}

func (m *Model) grid(s Site) siteGrid {
	sh := s.In.Value.Shape
	g := siteGrid{t: 1}
	if len(sh) == 5 {
		g.t = sh[2]
	}
	g.h, g.w = sh[len(sh)-2], sh[len(sh)-1]
	g.kh, g.kw = g.h, g.w
	g.cell = float64(m.Cfg.Side) / float64(g.h)
	g.kcel = g.cell
	if s.Cfg.Subsample {
		g.kh, g.kw = g.h/2, g.w/2
		g.kcel = 2 * g.cell
	}
	return g
}

// Links returns the k largest weights of query q in sample n of the
// forward pass out, at non-local block site (an index into out.Sites),
// largest first. Over spacetime the keys span every frame; a space-only
// block's keys are in the query's frame and a time-only block's at the
// query's pixel in every frame.
func (m *Model) Links(out *Output, site, n int, q Point, k int) ([]Link, error) {
	if site < 0 || site >= len(out.Sites) {
		return nil, fmt.Errorf("block %d of %d", site+1, len(out.Sites))
	}
	s := out.Sites[site]
	g := m.grid(s)
	if q.T < 0 || q.T >= g.t || q.X < 0 || q.Y < 0 || q.X >= float64(m.Cfg.Side) || q.Y >= float64(m.Cfg.Side) {
		return nil, fmt.Errorf("query (%g, %g) in frame %d lies outside the %d×%d×%d input", q.X, q.Y, q.T, g.t, m.Cfg.Side, m.Cfg.Side)
	}
	qy, qx := min(int(q.Y/g.cell), g.h-1), min(int(q.X/g.cell), g.w-1)
	w := s.Weights.Value
	rows, cols := w.Dim(1), w.Dim(2)
	var batch, row int
	var key func(j int) Point
	switch {
	case !m.Cfg.Clip() || m.Cfg.Extent == SpaceTime:
		batch, row = n, (q.T*g.h+qy)*g.w+qx
		key = func(j int) Point {
			kt, r := j/(g.kh*g.kw), j%(g.kh*g.kw)
			return Point{kt, (float64(r%g.kw) + 0.5) * g.kcel, (float64(r/g.kw) + 0.5) * g.kcel}
		}
	case m.Cfg.Extent == Space:
		batch, row = n*g.t+q.T, qy*g.w+qx
		key = func(j int) Point {
			return Point{q.T, (float64(j%g.kw) + 0.5) * g.kcel, (float64(j/g.kw) + 0.5) * g.kcel}
		}
	default: // Time
		batch, row = (n*g.h+qy)*g.w+qx, q.T
		key = func(j int) Point {
			return Point{j, (float64(qx) + 0.5) * g.cell, (float64(qy) + 0.5) * g.cell}
		}
	}
	if batch >= w.Dim(0) || row >= rows {
		return nil, fmt.Errorf("sample %d is not in the forward pass", n)
	}
	ws := w.Data[(batch*rows+row)*cols : (batch*rows+row+1)*cols]
	idx := make([]int, cols)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ws[idx[a]] > ws[idx[b]] })
	var links []Link
	for _, j := range idx[:min(k, cols)] {
		links = append(links, Link{Point: key(j), Weight: ws[j]})
	}
	return links, nil
}

// TopQueries returns k query points of sample n at a site: the centres of
// the cells where the block changes its input most (the norm over
// channels of z − x, its response), or, while the block is still the
// identity, where the input itself is strongest. Largest first.
func (m *Model) TopQueries(out *Output, site, n, k int) ([]Point, error) {
	if site < 0 || site >= len(out.Sites) {
		return nil, fmt.Errorf("block %d of %d", site+1, len(out.Sites))
	}
	s := out.Sites[site]
	g := m.grid(s)
	in, outv := s.In.Value, s.Out.Value
	c := in.Dim(1)
	p := g.t * g.h * g.w
	score := func(resp bool) []float64 {
		v := make([]float64, p)
		for ch := 0; ch < c; ch++ {
			off := (n*c + ch) * p
			for i := 0; i < p; i++ {
				d := float64(in.Data[off+i])
				if resp {
					d = float64(outv.Data[off+i]) - d
				}
				v[i] += d * d
			}
		}
		return v
	}
	v := score(true)
	if slices.Max(v) == 0 {
		v = score(false)
	}
	idx := make([]int, p)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] > v[idx[b]] })
	var qs []Point
	for _, i := range idx[:min(k, p)] {
		t, r := i/(g.h*g.w), i%(g.h*g.w)
		qs = append(qs, Point{t, (float64(r%g.w) + 0.5) * g.cell, (float64(r/g.w) + 0.5) * g.cell})
	}
	return qs, nil
}

// MapPoint converts a point given in a user's picture (w×h pixels, a clip
// of frames frames) to the model's input: pixel coordinates scaled to its
// side, and the frame to the model frame that Input samples it into (the
// nearest earlier one).
func (m *Model) MapPoint(p Point, w, h, frames int) Point {
	c := m.Cfg
	q := Point{X: p.X * float64(c.Side) / float64(w), Y: p.Y * float64(c.Side) / float64(h)}
	if c.Clip() && frames > 0 {
		// Input takes source frame f·frames/T into model frame f; the
		// model frame of source frame t is the largest such f.
		for f := 0; f < c.Frames; f++ {
			if f*frames/c.Frames <= p.T {
				q.T = f
			}
		}
	}
	return q
}
