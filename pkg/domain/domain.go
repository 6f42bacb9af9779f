// Package domain tells how much an input looks like the images a model
// was trained on, from a few statistics of its pixels as the model sees
// them.
//
// A classifier answers for any picture, but its answer means something
// only for pictures like its training images: a model of white digits on
// black will name a digit for a holiday photo too. This package sums an
// input up (Measure: mean and spread of the values, the share of
// near-black pixels, how busy it is from pixel to pixel, how much it
// changes between large regions, how colourful)
// and compares that with the range each statistic spans over the
// training images (Reference, Score). The check is deliberately simple:
// it catches a photograph given to a digit model or a grey scan given to
// a model of colour textures, not a subtle shift of distribution.
//
// The references of the built-in tasks are constants (Builtin), computed
// once from their training sets by gen.go.
package domain

//go:generate go run gen.go

import (
	"math"
	"slices"
)

// DarkLevel is the value below which every channel of a pixel must lie
// for it to count as near-black (values are in [0, 1]).
const DarkLevel = 0.1

// Stats sums up one model input.
type Stats struct {
	Mean float64 // mean of all values
	Std  float64 // standard deviation of all values
	Dark float64 // fraction of pixels whose every channel is below DarkLevel
	Edge float64 // mean absolute difference between horizontally adjacent values
	// Coarse is the standard deviation of the means of a 4×4 grid of
	// blocks, averaged over channels: change at the scale of a quarter of
	// the picture (a sky above a field) rather than from pixel to pixel.
	Coarse float64
	Colour float64 // mean over pixels of the largest minus the smallest channel; 0 for grey
}

// nstats is the number of statistics in Stats.
const nstats = 6

// values lists the statistics in a fixed order, to loop over them.
func (s Stats) values() [nstats]float64 {
	return [nstats]float64{s.Mean, s.Std, s.Dark, s.Edge, s.Coarse, s.Colour}
}

// grid is the side of the grid of blocks Coarse compares.
const grid = 4

// Measure computes the statistics of a model input: channels planes one
// after the other (channel-major, as the models take them), each made of
// rows width values long, values in [0, 1]. A clip's frames may follow
// each other inside a plane; rows are what counts for Edge.
func Measure(x []float32, channels, width int) Stats {
	if len(x) == 0 || channels < 1 || width < 1 {
		return Stats{}
	}
	plane := len(x) / channels
	var sum, sum2, edge, colour float64
	for _, v := range x {
		sum += float64(v)
		sum2 += float64(v) * float64(v)
	}
	dark := 0
	for p := 0; p < plane; p++ {
		lo, hi := x[p], x[p]
		for c := 1; c < channels; c++ {
			v := x[c*plane+p]
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi < DarkLevel {
			dark++
		}
		colour += float64(hi - lo)
		if p%width != 0 {
			for c := 0; c < channels; c++ {
				edge += math.Abs(float64(x[c*plane+p] - x[c*plane+p-1]))
			}
		}
	}
	n := float64(len(x))
	mean := sum / n
	return Stats{
		Mean:   mean,
		Std:    math.Sqrt(max(0, sum2/n-mean*mean)),
		Dark:   float64(dark) / float64(plane),
		Edge:   edge / n,
		Coarse: coarse(x, channels, width),
		Colour: colour / float64(plane),
	}
}

// coarse is Stats.Coarse: rows of the plane are split into grid bands
// and columns into grid bands, and the spread of the block means is
// averaged over the channels.
func coarse(x []float32, channels, width int) float64 {
	plane := len(x) / channels
	height := plane / width
	if height < 1 {
		return 0
	}
	total := 0.0
	for c := 0; c < channels; c++ {
		var sums, counts [grid * grid]float64
		for y := 0; y < height; y++ {
			row := x[c*plane+y*width : c*plane+(y+1)*width]
			by := y * grid / height
			for i, v := range row {
				b := by*grid + i*grid/width
				sums[b] += float64(v)
				counts[b]++
			}
		}
		var s, s2, k float64
		for b := range sums {
			if counts[b] == 0 {
				continue // a picture narrower or shorter than the grid
			}
			m := sums[b] / counts[b]
			s, s2, k = s+m, s2+m*m, k+1
		}
		mean := s / k
		total += math.Sqrt(max(0, s2/k-mean*mean))
	}
	return total / float64(channels)
}

// Range is how one statistic spreads over the training images.
type Range struct {
	// Lo and Hi are its smallest and largest value over the training
	// images measured: an input inside [Lo, Hi] is, by this statistic,
	// like some training image.
	Lo, Hi float64
	// Std is its standard deviation over the training images, the unit
	// in which Distance measures how far outside [Lo, Hi] an input lies.
	Std float64
}

// Reference is how each statistic spreads over a model's training
// images, and the layout of the model's input (for Measure).
type Reference struct {
	Data            string // what the training images are, for messages
	Channels, Width int
	Mean, Std       Range
	Dark, Edge      Range
	Coarse, Colour  Range
}

// ranges lists the ranges in the order of Stats.values.
func (r Reference) ranges() [nstats]Range {
	return [nstats]Range{r.Mean, r.Std, r.Dark, r.Edge, r.Coarse, r.Colour}
}

// Distance says how far s lies outside the training images' ranges: for
// its most unusual statistic, the distance from [Lo, Hi] in training
// standard deviations; 0 when every statistic lies within its range. A
// statistic that does not vary over the training images (Std 0, such as
// the colour of a grey model's input, fixed by the conversion to it) is
// left out.
func (r Reference) Distance(s Stats) float64 {
	d := 0.0
	v := s.values()
	for i, rg := range r.ranges() {
		if rg.Std <= 0 {
			continue
		}
		out := max(rg.Lo-v[i], v[i]-rg.Hi, 0)
		d = max(d, out/rg.Std)
	}
	return d
}

// Score is how much the model input x (laid out as Measure takes it,
// with r's channels and width) looks like the training images, in
// [0, 1]: exp(-d²/2) for d = r.Distance(Measure(x)). So 1 means every
// statistic lies within the range the training images span, and the
// score falls as the most unusual one leaves that range: 0.61 one
// training standard deviation beyond it, 0.14 at two, 0.011 at three.
// Below WarnBelow the input is far outside anything the model saw. Of
// the built-in test sets (10,000 images each), at most one image in
// 10,000 scores below it.
func (r Reference) Score(x []float32) float64 {
	d := r.Distance(Measure(x, r.Channels, r.Width))
	return math.Exp(-d * d / 2)
}

// WarnBelow is the score under which an input counts as unlike the
// training data (more than three training standard deviations outside
// the training range in some statistic): the tools warn about such
// inputs.
const WarnBelow = 0.01

// Fit computes the reference of a training set from the statistics of
// its images (the more images, the wider and steadier the ranges; the
// built-in references use 10,000).
func Fit(data string, channels, width int, stats []Stats) Reference {
	var rs [nstats]Range
	for k := range rs {
		if len(stats) == 0 {
			break
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		var sum, sum2 float64
		for _, s := range stats {
			v := s.values()[k]
			lo, hi = min(lo, v), max(hi, v)
			sum += v
			sum2 += v * v
		}
		n := float64(len(stats))
		mean := sum / n
		rs[k] = Range{Lo: lo, Hi: hi, Std: math.Sqrt(max(0, sum2/n-mean*mean))}
		// A statistic that (up to rounding) does not vary carries no
		// information; Std 0 leaves it out of Distance.
		if hi-lo < 1e-9 {
			rs[k].Std = 0
		}
	}
	return Reference{Data: data, Channels: channels, Width: width,
		Mean: rs[0], Std: rs[1], Dark: rs[2], Edge: rs[3], Coarse: rs[4], Colour: rs[5]}
}

// Builtin returns the reference of a built-in training set by its key
// ("ram/mnist", "lpa/fragments", "caption/builtin", "nonlocal/sum", ...;
// see Keys), provided the model's input has the same layout: channels
// planes of rows width values long. A model trained on the same task at
// another size, or on other data, has none.
func Builtin(key string, channels, width int) (Reference, bool) {
	r, ok := builtin[key]
	if !ok || r.Channels != channels || r.Width != width {
		return Reference{}, false
	}
	return r, true
}

// Keys lists the keys of the built-in references, sorted.
func Keys() []string {
	keys := make([]string, 0, len(builtin))
	for k := range builtin {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
