package viz

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
)

// Series is one line of a chart: the points (X[i], Y[i]), joined in order
// and marked with a dot each.
type Series struct {
	Name  string      // shown in the legend
	X, Y  []float64   // the points; equal lengths
	Color color.Color // nil picks the next colour of ChartColors
}

// Chart is a line chart: a plot area with axes, ticks and tick labels, a
// title above and a legend in its top-right corner.
type Chart struct {
	Title  string // one line above the plot area; may be empty
	XLabel string // under the x axis
	YLabel string // above the y axis (the 7×13 font cannot be turned)
	// LogY puts the y axis on a log scale, for values that shrink by
	// orders of magnitude (error rates over training); every Y must be
	// positive.
	LogY   bool
	Series []Series
}

// ChartColors are the default series colours, in order: blue, orange,
// green, vermillion, purple, from the Okabe–Ito palette, which stays
// distinct under the common colour-vision deficiencies.
var ChartColors = []color.RGBA{
	{0, 114, 178, 255},
	{230, 159, 0, 255},
	{0, 158, 115, 255},
	{213, 94, 0, 255},
	{204, 121, 167, 255},
}

// Chart layout in pixels.
const (
	chartPad     = 8  // outer margin
	chartTick    = 4  // tick length
	chartLine    = 2  // series line width
	chartDot     = 3  // point marker radius
	chartMinPlot = 40 // smallest plot area that still reads
)

var (
	chartInk  = color.RGBA{0, 0, 0, 255}
	chartGrid = color.RGBA{225, 225, 225, 255}
)

// LineChart draws c on a new w×h image with a white background. The axes
// span the data, widened to the nearest ticks: 1, 2 or 5 times a power of
// ten apart on a linear axis, 1, 2, 3 and 5 times powers of ten on a log
// one. It fails when there is nothing to draw, a series' X and Y differ
// in length, a value is not finite (or not positive on a log axis), or
// the image is too small to hold the plot.
func LineChart(c Chart, w, h int) (*image.RGBA, error) {
	xs, ys, err := chartData(c)
	if err != nil {
		return nil, err
	}
	xlo, xhi := span(xs)
	ylo, yhi := span(ys)
	xt := linearTicks(xlo, xhi)
	var yt []float64
	if c.LogY {
		yt = logTicks(ylo, yhi)
	} else {
		yt = linearTicks(ylo, yhi)
	}
	xlo, xhi = math.Min(xlo, xt[0]), math.Max(xhi, xt[len(xt)-1])
	ylo, yhi = math.Min(ylo, yt[0]), math.Max(yhi, yt[len(yt)-1])

	_, th := TextSize("0")
	yw := 0
	for _, v := range yt {
		yw = max(yw, textWidth(tickLabel(v)))
	}
	top := chartPad + th/2 // room for the top tick label
	if c.YLabel != "" {
		top = chartPad + th + 4
	}
	if c.Title != "" {
		top += th + 4
	}
	plot := image.Rect(chartPad+yw+chartTick+3, top, w-chartPad-textWidth(tickLabel(xt[len(xt)-1]))/2, h-chartPad-th-chartTick-3)
	if c.XLabel != "" {
		plot.Max.Y -= th + 2
	}
	if plot.Dx() < chartMinPlot || plot.Dy() < chartMinPlot {
		return nil, fmt.Errorf("chart %q: %d×%d pixels leave no room for the plot", c.Title, w, h)
	}

	fy := func(v float64) float64 { return (v - ylo) / (yhi - ylo) }
	if c.LogY {
		fy = func(v float64) float64 { return math.Log(v/ylo) / math.Log(yhi/ylo) }
	}
	// Pixel centres of the plot's corners; integer values are pixel centres.
	px := func(v float64) float64 {
		return float64(plot.Min.X) + (v-xlo)/(xhi-xlo)*float64(plot.Dx()-1)
	}
	py := func(v float64) float64 {
		return float64(plot.Max.Y-1) - fy(v)*float64(plot.Dy()-1)
	}

	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)

	if c.Title != "" {
		// A title wider than the image keeps its start and loses its end.
		drawText(img, max(chartPad, (w-textWidth(c.Title))/2), chartPad, c.Title, chartInk)
	}
	if c.YLabel != "" {
		drawText(img, plot.Min.X, top-th-4, c.YLabel, chartInk)
	}
	for _, v := range yt {
		y := int(math.Round(py(v)))
		FillRect(img, image.Rect(plot.Min.X, y, plot.Max.X, y+1), chartGrid)
		FillRect(img, image.Rect(plot.Min.X-chartTick, y, plot.Min.X, y+1), chartInk)
		s := tickLabel(v)
		drawText(img, plot.Min.X-chartTick-3-textWidth(s), y-th/2, s, chartInk)
	}
	for _, v := range xt {
		x := int(math.Round(px(v)))
		FillRect(img, image.Rect(x, plot.Max.Y, x+1, plot.Max.Y+chartTick), chartInk)
		s := tickLabel(v)
		drawText(img, x-textWidth(s)/2, plot.Max.Y+chartTick+2, s, chartInk)
	}
	if c.XLabel != "" {
		drawText(img, plot.Min.X+(plot.Dx()-textWidth(c.XLabel))/2, plot.Max.Y+chartTick+th+4, c.XLabel, chartInk)
	}
	// The axes: left and bottom edges of the plot area.
	FillRect(img, image.Rect(plot.Min.X-1, plot.Min.Y, plot.Min.X, plot.Max.Y+1), chartInk)
	FillRect(img, image.Rect(plot.Min.X-1, plot.Max.Y, plot.Max.X, plot.Max.Y+1), chartInk)

	for i, s := range c.Series {
		col := seriesColor(s, i)
		for k := range s.X {
			if k > 0 {
				Line(img, px(s.X[k-1]), py(s.Y[k-1]), px(s.X[k]), py(s.Y[k]), chartLine, col)
			}
			Disc(img, px(s.X[k]), py(s.Y[k]), chartDot, col)
		}
	}
	drawLegend(img, plot, c.Series)
	return img, nil
}

// drawLegend lists the named series in the plot's top-right corner, each
// behind a short stroke of its colour, on a white box.
func drawLegend(img *image.RGBA, plot image.Rectangle, series []Series) {
	_, th := TextSize("0")
	const stroke = 18
	tw := 0
	n := 0
	for _, s := range series {
		if s.Name != "" {
			tw = max(tw, textWidth(s.Name))
			n++
		}
	}
	if n == 0 {
		return
	}
	box := image.Rect(plot.Max.X-tw-stroke-16, plot.Min.Y+4, plot.Max.X-4, plot.Min.Y+4+n*(th+2)+6)
	FillRect(img, box, color.White)
	Rect(img, box, chartGrid, 1)
	y := box.Min.Y + 4
	for i, s := range series {
		if s.Name == "" {
			continue
		}
		col := seriesColor(s, i)
		cy := float64(y + th/2)
		Line(img, float64(box.Min.X+5), cy, float64(box.Min.X+5+stroke), cy, chartLine, col)
		drawText(img, box.Min.X+5+stroke+5, y, s.Name, chartInk)
		y += th + 2
	}
}

// seriesColor is s's colour, or the i-th default.
func seriesColor(s Series, i int) color.Color {
	if s.Color != nil {
		return s.Color
	}
	return ChartColors[i%len(ChartColors)]
}

// chartData checks c's series and returns all their x and y values.
func chartData(c Chart) (xs, ys []float64, err error) {
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, nil, fmt.Errorf("chart %q: series %q has %d x and %d y values", c.Title, s.Name, len(s.X), len(s.Y))
		}
		for k := range s.X {
			x, y := s.X[k], s.Y[k]
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				return nil, nil, fmt.Errorf("chart %q: series %q: point %d (%g, %g) is not finite", c.Title, s.Name, k, x, y)
			}
			if c.LogY && y <= 0 {
				return nil, nil, fmt.Errorf("chart %q: series %q: point %d has y = %g, not positive on a log axis", c.Title, s.Name, k, y)
			}
		}
		xs = append(xs, s.X...)
		ys = append(ys, s.Y...)
	}
	if len(xs) == 0 {
		return nil, nil, errors.New("chart " + strconv.Quote(c.Title) + ": no points")
	}
	return xs, ys, nil
}

// span returns the range of v, widened around a single value so that an
// axis always has a length.
func span(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if lo == hi {
		d := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-d, hi+d
	}
	return lo, hi
}

// linearTicks returns evenly spaced ticks from at or below lo to at or
// above hi, 1, 2 or 5 times a power of ten apart, about five of them.
func linearTicks(lo, hi float64) []float64 {
	raw := (hi - lo) / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	first := math.Floor(lo/step+1e-9) * step
	var t []float64
	for k := 0; ; k++ {
		v := first + float64(k)*step
		t = append(t, v)
		if v >= hi-1e-9*step {
			return t
		}
	}
}

// logTicks returns 1, 2, 3 and 5 times the powers of ten from the last
// one at or below lo to the first at or above hi.
func logTicks(lo, hi float64) []float64 {
	var all []float64
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for _, m := range []float64{1, 2, 3, 5} {
			all = append(all, m*p)
		}
	}
	first, last := 0, len(all)-1
	for i, v := range all {
		if v <= lo*(1+1e-9) {
			first = i
		}
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i] >= hi*(1-1e-9) {
			last = i
		}
	}
	return all[first : last+1]
}

// tickLabel prints a tick value without trailing zeros or float noise.
func tickLabel(v float64) string {
	return strconv.FormatFloat(float64(float32(v)), 'g', 6, 32)
}

// textWidth is the width of text in the label font.
func textWidth(s string) int {
	w, _ := TextSize(s)
	return w
}
