// Package viz draws what attention models look at: colormaps, heatmap
// overlays, boxes, arrows, labels and numbered markers, contact sheets and
// animated GIFs.
//
// Everything works on image.Image inputs and returns *image.RGBA (opaque)
// outputs; nothing here reads or writes files (see pkg/imageio).
package viz

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"
)

// Map is a colormap: 256 colours from low (index 0) to high (255).
// Maps are immutable and safe for concurrent use.
type Map struct {
	name string
	lut  [256]color.RGBA
}

// Name returns the map's name as Colormap accepts it.
func (m *Map) Name() string { return m.name }

// At returns the colour for t in [0,1]; t is clamped, NaN counts as 0.
func (m *Map) At(t float64) color.RGBA {
	return m.lut[index(t)]
}

// LUT returns a copy of the 256-entry table.
func (m *Map) LUT() [256]color.RGBA { return m.lut }

// index maps [0,1] to the nearest of the 256 entries.
func index(t float64) int {
	if !(t > 0) {
		return 0
	}
	if t >= 1 {
		return 255
	}
	return int(t*255 + 0.5)
}

// Turbo is Google's improved rainbow map (Mikhailov, 2019), from the
// degree-5 polynomial fit by Ruofei Du published with it ("Polynomial
// approximation in GLSL for the Turbo colormap", Apache-2.0). The fit
// follows the original table closely except in the last few percent at
// either end (up to ~0.1 per channel there). Low is dark blue, high dark
// red.
func Turbo() *Map { return turbo }

// Viridis is matplotlib's perceptually uniform map (van der Walt and
// Smith, 2015), from the degree-6 minimax polynomial fit of Matt Zucker
// ("fitting polynomials to matplotlib colormaps", shadertoy WlfXRN, CC0).
// Low is dark purple, high yellow; its luminance rises monotonically.
func Viridis() *Map { return viridis }

// Jet is MATLAB's classic rainbow, the piecewise-linear form
// channel(t) = clamp(1.5 − |4t − k|) with k = 3, 2, 1 for R, G, B.
// Provided for comparison with older papers; prefer Turbo or Viridis.
func Jet() *Map { return jet }

// Gray maps t to the gray level t.
func Gray() *Map { return gray }

var (
	turbo = build("turbo", func(t float64) (r, g, b float64) {
		// Horner form of c0 + c1 t + ... + c5 t^5 per channel.
		r = 0.13572138 + t*(4.61539260+t*(-42.66032258+t*(132.13108234+t*(-152.94239396+t*59.28637943))))
		g = 0.09140261 + t*(2.19418839+t*(4.84296658+t*(-14.18503333+t*(4.27729857+t*2.82956604))))
		b = 0.10667330 + t*(12.64194608+t*(-60.58204836+t*(110.36276771+t*(-89.90310912+t*27.34824973))))
		return
	})
	viridis = build("viridis", func(t float64) (r, g, b float64) {
		r = 0.2777273272234177 + t*(0.1050930431085774+t*(-0.3308618287255563+t*(-4.634230498983486+t*(6.228269936347081+t*(4.776384997670288+t*-5.435455855934631)))))
		g = 0.005407344544966578 + t*(1.404613529898575+t*(0.214847559468213+t*(-5.799100973351585+t*(14.17993336680509+t*(-13.74514537774601+t*4.645852612178535)))))
		b = 0.3340998053353061 + t*(1.384590162594685+t*(0.09509516302823659+t*(-19.33244095627987+t*(56.69055260068105+t*(-65.35303263337234+t*26.3124352495832)))))
		return
	})
	jet = build("jet", func(t float64) (r, g, b float64) {
		return 1.5 - math.Abs(4*t-3), 1.5 - math.Abs(4*t-2), 1.5 - math.Abs(4*t-1)
	})
	gray = build("gray", func(t float64) (r, g, b float64) { return t, t, t })

	maps = map[string]*Map{"turbo": turbo, "viridis": viridis, "jet": jet, "gray": gray}
)

// build samples f at the 256 entry centres i/255.
func build(name string, f func(t float64) (r, g, b float64)) *Map {
	m := &Map{name: name}
	for i := range m.lut {
		r, g, b := f(float64(i) / 255)
		m.lut[i] = color.RGBA{to8(r), to8(g), to8(b), 255}
	}
	return m
}

func to8(v float64) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// Colormap returns the map with the given name (case-insensitive): one of
// Names().
func Colormap(name string) (*Map, error) {
	if m, ok := maps[strings.ToLower(name)]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("unknown colormap %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// Names lists the colormap names in sorted order.
func Names() []string {
	names := make([]string, 0, len(maps))
	for n := range maps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
