package nonlocal

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/attnkit/attn/pkg/viz"
)

// queryColours tell the queries of one picture apart.
var queryColours = []color.RGBA{
	{255, 60, 60, 255}, {60, 200, 255, 255}, {255, 210, 40, 255}, {120, 255, 90, 255}, {230, 90, 255, 255},
}

// QueryLinks is one query and the keys it attends to.
type QueryLinks struct {
	Query Point
	Links []Link
}

// arrowWidth scales an arrow with its weight relative to the query's
// largest, between 1 and 3.5 pixels.
func arrowWidth(w, top float32) float64 {
	if top <= 0 {
		return 1
	}
	return 1 + 2.5*float64(w/top)
}

// ArrowPicture draws an image's queries as numbered markers and arrows
// from each to its keys, the paper's figure for one frame: frame is the
// input at the model's resolution, enlarged zoom times.
func ArrowPicture(frame image.Image, zoom int, qs []QueryLinks) *image.RGBA {
	dst := toRGBA(viz.Enlarge(frame, zoom))
	z := float64(zoom)
	for i, q := range qs {
		col := queryColours[i%len(queryColours)]
		top := topWeight(q.Links)
		for _, l := range q.Links {
			viz.Arrow(dst, q.Query.X*z, q.Query.Y*z, l.X*z, l.Y*z, arrowWidth(l.Weight, top), col)
		}
		viz.Marker(dst, q.Query.X*z, q.Query.Y*z, i+1, col)
	}
	return dst
}

// Filmstrip lays the frames of a clip out left to right (enlarged zoom
// times, pad pixels apart, captioned t=0, t=1, ...) and draws every
// query's arrows across the strip, from the query in its frame to each
// key in the key's frame, as the paper's video figures do.
func Filmstrip(frames []image.Image, zoom, pad int, qs []QueryLinks) *image.RGBA {
	tiles := make([]image.Image, len(frames))
	caps := make([]string, len(frames))
	for i, f := range frames {
		tiles[i] = viz.Enlarge(f, zoom)
		caps[i] = fmt.Sprintf("t=%d", i)
	}
	strip := viz.Strip(tiles, caps, pad, color.Black)
	if len(tiles) == 0 {
		return strip
	}
	cw := tiles[0].Bounds().Dx()
	z := float64(zoom)
	at := func(p Point) (float64, float64) {
		return float64(pad+p.T*(cw+pad)) + p.X*z, float64(pad) + p.Y*z
	}
	for i, q := range qs {
		col := queryColours[i%len(queryColours)]
		top := topWeight(q.Links)
		x0, y0 := at(q.Query)
		for _, l := range q.Links {
			x1, y1 := at(l.Point)
			viz.Arrow(strip, x0, y0, x1, y1, arrowWidth(l.Weight, top), col)
		}
		viz.Marker(strip, x0, y0, i+1, col)
	}
	return strip
}

// ClipFrames draws one picture per frame for an animation: in frame t,
// arrows from each query's position to its keys that lie in frame t, and
// the query's numbered marker (solid in its own frame, a small dot
// elsewhere).
func ClipFrames(frames []image.Image, zoom int, qs []QueryLinks) []image.Image {
	z := float64(zoom)
	out := make([]image.Image, len(frames))
	for t, f := range frames {
		dst := toRGBA(viz.Enlarge(f, zoom))
		for i, q := range qs {
			col := queryColours[i%len(queryColours)]
			top := topWeight(q.Links)
			for _, l := range q.Links {
				if l.T == t {
					viz.Arrow(dst, q.Query.X*z, q.Query.Y*z, l.X*z, l.Y*z, arrowWidth(l.Weight, top), col)
				}
			}
			if q.Query.T == t {
				viz.Marker(dst, q.Query.X*z, q.Query.Y*z, i+1, col)
			} else {
				viz.Disc(dst, q.Query.X*z, q.Query.Y*z, 3, col)
			}
		}
		out[t] = dst
	}
	return out
}

func topWeight(ls []Link) float32 {
	var top float32
	for _, l := range ls {
		top = max(top, l.Weight)
	}
	return top
}

func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}
