package ram

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
)

// Layout of the pictures below.
const (
	// RetinaGap is the gap in pixels between two scales in RetinaImage.
	RetinaGap = 2
	// RetinaGapGray is the gap's colour: mid-gray reads as "not image"
	// against both the black zero padding and bright content.
	RetinaGapGray = 128
	// OverlayMinSide is the side SensorOverlay enlarges small images to
	// (at least), so the boxes stay readable.
	OverlayMinSide = 256
)

// ScaleColours are the box colours of the sensor's scales, finest first:
// distinct hues that stay visible on photos and on black MNIST canvases.
var ScaleColours = []color.RGBA{
	{255, 64, 64, 255}, {255, 200, 0, 255}, {64, 220, 64, 255}, {0, 200, 255, 255},
	{80, 110, 255, 255}, {220, 80, 255, 255}, {255, 140, 200, 255}, {255, 255, 255, 255},
}

// RetinaImage lays the K scales of a glimpse ([K][C][G][G], values in
// [0,1], as Sensor.Extract writes it) side by side, each enlarged zoom
// times by repeating pixels (so the sensor's own resolution stays
// visible), with a RetinaGap-pixel gap between scales. One channel gives
// an *image.Gray, three an *image.RGBA.
func RetinaImage(glimpse []float32, ch int, s Sensor, zoom int) image.Image {
	g := s.Patch
	tile := g * zoom
	w := s.Scales*tile + (s.Scales-1)*RetinaGap
	var dst draw.Image
	if ch == 1 {
		dst = image.NewGray(image.Rect(0, 0, w, tile))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, tile))
	}
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.Gray{RetinaGapGray}), image.Point{}, draw.Src)
	for sc := 0; sc < s.Scales; sc++ {
		x0 := sc * (tile + RetinaGap)
		for i := 0; i < g; i++ {
			for j := 0; j < g; j++ {
				var c color.Color
				at := func(k int) uint8 { return to8(glimpse[((sc*ch+k)*g+i)*g+j]) }
				if ch == 1 {
					c = color.Gray{at(0)}
				} else {
					c = color.RGBA{at(0), at(1), at(2), 255}
				}
				r := image.Rect(x0+j*zoom, i*zoom, x0+(j+1)*zoom, (i+1)*zoom)
				draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Src)
			}
		}
	}
	return dst
}

// to8 maps [0,1] to 0..255, clamping and rounding; NaN gives 0.
func to8(v float32) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// SensorOverlay draws the sensor's patch boxes at (lx, ly) on the image,
// the finest scale on top, with a dot at the centre. The canvas grows to
// hold boxes that reach past the image (dark gray there: the sensor reads
// zeros), and a canvas smaller than OverlayMinSide is enlarged by a whole
// factor.
func SensorOverlay(img image.Image, s Sensor, lx, ly float32) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	canvas := image.Rect(0, 0, w, h)
	boxes := make([]image.Rectangle, s.Scales)
	for sc := range boxes {
		x0, y0, x1, y1 := s.Box(w, h, lx, ly, sc)
		boxes[sc] = image.Rect(x0, y0, x1, y1)
		canvas = canvas.Union(boxes[sc])
	}
	zoom := 1
	if side := max(canvas.Dx(), canvas.Dy()); side < OverlayMinSide {
		zoom = (OverlayMinSide + side - 1) / side
	}
	dst := image.NewRGBA(image.Rect(0, 0, canvas.Dx()*zoom, canvas.Dy()*zoom))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.RGBA{48, 48, 48, 255}), image.Point{}, draw.Src)
	off := image.Pt(-canvas.Min.X, -canvas.Min.Y)
	// Black first, so transparent pixels show as the sensor sees them
	// (imageio.ToTensor composites alpha over black).
	imgRect := image.Rect(off.X*zoom, off.Y*zoom, (off.X+w)*zoom, (off.Y+h)*zoom)
	draw.Draw(dst, imgRect, image.NewUniform(color.Black), image.Point{}, draw.Src)
	if zoom == 1 {
		draw.Draw(dst, imgRect, img, b.Min, draw.Over)
	} else {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r := image.Rect((off.X+x)*zoom, (off.Y+y)*zoom, (off.X+x+1)*zoom, (off.Y+y+1)*zoom)
				draw.Draw(dst, r, image.NewUniform(img.At(b.Min.X+x, b.Min.Y+y)), image.Point{}, draw.Over)
			}
		}
	}
	lw := max(1, max(dst.Bounds().Dx(), dst.Bounds().Dy())/300)
	for sc := s.Scales - 1; sc >= 0; sc-- {
		r := boxes[sc].Add(off)
		r = image.Rect(r.Min.X*zoom, r.Min.Y*zoom, r.Max.X*zoom, r.Max.Y*zoom)
		viz.Rect(dst, r, ScaleColours[sc%len(ScaleColours)], lw)
	}
	cx := (Centre(lx, w) + float64(off.X)) * float64(zoom)
	cy := (Centre(ly, h) + float64(off.Y)) * float64(zoom)
	viz.Disc(dst, cx-0.5, cy-0.5, float64(lw)+1.5, ScaleColours[0])
	return dst
}

// PathDrawing draws a model's glimpse path over the S×S canvas it saw.
type PathDrawing struct {
	Sensor Sensor
	Side   int       // S, the canvas side in pixels
	Zoom   int       // display pixels per canvas pixel
	Locs   []float32 // glimpse t at (Locs[2t], Locs[2t+1]) in [-1,1]
	Class  int       // the predicted class, shown on the complete path
	Prob   float32   // its probability
}

// Frames draws the path step by step on the canvas (S×S values in
// [0,1]), enlarged Zoom times: frame t shows glimpses 0..t-1 (frame 0 the
// bare canvas), the earlier ones as a numbered trail, the latest with one
// box per scale. The last frame is the complete path, labelled with the
// predicted class.
func (d PathDrawing) Frames(canvas []float32) []image.Image {
	base := canvasImage(canvas, d.Side, d.Zoom)
	n := len(d.Locs) / 2
	frames := make([]image.Image, 0, n+1)
	for t := 0; t <= n; t++ {
		frames = append(frames, d.frame(base, t))
	}
	return frames
}

// PathGIF animates Frames: 0.7 s per glimpse, 2.5 s on the complete path.
// threads frames are quantised at once (viz.GIFOptions.Threads).
func PathGIF(frames []image.Image, threads int) (*gif.GIF, error) {
	delays := make([]int, len(frames))
	for i := range delays {
		delays[i] = 70
	}
	if len(delays) > 0 {
		delays[len(delays)-1] = 250
	}
	return viz.BuildGIF(frames, viz.GIFOptions{Delays: delays, Threads: threads})
}

// canvasImage enlarges the S×S canvas zoom times (nearest neighbour), as
// an RGBA image so that the path can be drawn on it in colour.
func canvasImage(px []float32, s, zoom int) *image.RGBA {
	big := viz.Enlarge(imageio.FromTensor(tensor.FromData(px, 1, s, s)), zoom)
	dst := image.NewRGBA(big.Bounds())
	draw.Draw(dst, dst.Bounds(), big, image.Point{}, draw.Src)
	return dst
}

// frame draws glimpses 0..upto-1 on a copy of base.
func (d PathDrawing) frame(base *image.RGBA, upto int) *image.RGBA {
	dst := image.NewRGBA(base.Bounds())
	draw.Draw(dst, dst.Bounds(), base, image.Point{}, draw.Src)
	s, zoom := d.Side, d.Zoom
	n := len(d.Locs) / 2
	centre := func(t int) (float64, float64) {
		return Centre(d.Locs[2*t], s) * float64(zoom), Centre(d.Locs[2*t+1], s) * float64(zoom)
	}
	for t := 1; t < upto; t++ {
		x0, y0 := centre(t - 1)
		x1, y1 := centre(t)
		viz.Arrow(dst, x0, y0, x1, y1, 1.5, color.RGBA{255, 255, 255, 200})
	}
	if upto > 0 {
		t := upto - 1
		for sc := 0; sc < d.Sensor.Scales; sc++ {
			bx0, by0, bx1, by1 := d.Sensor.Box(s, s, d.Locs[2*t], d.Locs[2*t+1], sc)
			rect := image.Rect(bx0*zoom, by0*zoom, bx1*zoom, by1*zoom)
			viz.Rect(dst, rect, ScaleColours[sc%len(ScaleColours)], 2)
		}
	}
	for t := 0; t < upto; t++ {
		x, y := centre(t)
		viz.Marker(dst, x, y, t+1, ScaleColours[0])
	}
	label := fmt.Sprintf("glimpse %d/%d", upto, n)
	if upto == n {
		label = fmt.Sprintf("class %d  p=%.2f", d.Class, d.Prob)
	}
	viz.Label(dst, 4, 4, label, color.White, color.RGBA{0, 0, 0, 200})
	return dst
}
