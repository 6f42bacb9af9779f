package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// MovingConfig sets up MovingClip. Zero fields take the defaults noted.
type MovingConfig struct {
	Frames    int     // clip length T; default 16
	Size      int     // frame side; default 64
	MinDigits int     // default 1
	MaxDigits int     // default 2
	MinSpeed  float64 // pixels per frame; default 2
	MaxSpeed  float64 // pixels per frame; default 5
}

func (c MovingConfig) withDefaults() MovingConfig {
	if c.Frames == 0 {
		c.Frames = 16
	}
	if c.Size == 0 {
		c.Size = 64
	}
	if c.MinDigits == 0 {
		c.MinDigits = 1
	}
	if c.MaxDigits == 0 {
		c.MaxDigits = 2
	}
	if c.MinSpeed == 0 && c.MaxSpeed == 0 {
		c.MinSpeed, c.MaxSpeed = 2, 5
	}
	return c
}

// Validate reports whether clips can be generated with c (after defaults).
func (c MovingConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Frames < 1:
		return fmt.Errorf("moving config: %d frames", c.Frames)
	case c.Size < DigitSize:
		return fmt.Errorf("moving config: %d-pixel frames cannot hold a %d-pixel digit", c.Size, DigitSize)
	case c.MinDigits < 1 || c.MaxDigits < c.MinDigits:
		return fmt.Errorf("moving config: %d–%d digits, want 1 ≤ min ≤ max", c.MinDigits, c.MaxDigits)
	case !(c.MinSpeed >= 0 && c.MaxSpeed >= c.MinSpeed && c.MaxSpeed < 1e6):
		return fmt.Errorf("moving config: speeds %g–%g, want 0 ≤ min ≤ max", c.MinSpeed, c.MaxSpeed)
	}
	return nil
}

// Clip is a Moving-MNIST-style sequence of grey frames.
type Clip struct {
	Size    int       // frame side (H = W)
	Frames  []float32 // [T][Size][Size] in [0, 1]
	Labels  []int     // the digit of each object
	Sources []int     // each object's index in the Digits
	// Squares[t][k] is where object k's 28×28 image sits in frame t; the
	// sequence of their corners is the object's trajectory.
	Squares [][]Box
	// Boxes[t][k] is the tight box around object k's ink in frame t.
	Boxes [][]Box
}

// MovingClip draws 1–2 random digits of d that move with constant velocity
// (a random direction and a speed in [MinSpeed, MaxSpeed]) and bounce off
// the frame borders, as in Moving MNIST (Srivastava et al. 2015). Overlaps
// are combined with max. As with GenerateScene, SampleRNG(seed, i) makes
// clip i reproducible on its own.
func MovingClip(rng *rand.Rand, d *Digits, cfg MovingConfig) (Clip, error) {
	if err := cfg.Validate(); err != nil {
		return Clip{}, err
	}
	if d == nil || d.Len() == 0 {
		return Clip{}, fmt.Errorf("moving clip: no digits")
	}
	cfg = cfg.withDefaults()
	s, T := cfg.Size, cfg.Frames
	n := cfg.MinDigits + rng.IntN(cfg.MaxDigits-cfg.MinDigits+1)
	limit := float64(s - DigitSize) // largest corner coordinate
	type mover struct{ x, y, vx, vy float64 }
	movers := make([]mover, n)
	clip := Clip{Size: s, Frames: make([]float32, T*s*s), Labels: make([]int, n), Sources: make([]int, n),
		Squares: make([][]Box, T), Boxes: make([][]Box, T)}
	ink := make([]Box, n)
	for k := range movers {
		src := rng.IntN(d.Len())
		clip.Sources[k], clip.Labels[k] = src, d.Label(src)
		ink[k] = inkBox(d.Images[src][:], DigitSize, 0)
		speed := cfg.MinSpeed + (cfg.MaxSpeed-cfg.MinSpeed)*rng.Float64()
		angle := 2 * math.Pi * rng.Float64()
		movers[k] = mover{x: limit * rng.Float64(), y: limit * rng.Float64(),
			vx: speed * math.Cos(angle), vy: speed * math.Sin(angle)}
	}
	for t := 0; t < T; t++ {
		frame := clip.Frames[t*s*s : (t+1)*s*s]
		clip.Squares[t] = make([]Box, n)
		clip.Boxes[t] = make([]Box, n)
		for k := range movers {
			m := &movers[k]
			x0, y0 := int(math.Round(m.x)), int(math.Round(m.y))
			clip.Squares[t][k] = Box{x0, y0, x0 + DigitSize, y0 + DigitSize}
			if !ink[k].Empty() {
				clip.Boxes[t][k] = ink[k].Translate(x0, y0)
			}
			src := &d.Images[clip.Sources[k]]
			for y := 0; y < DigitSize; y++ {
				row := frame[(y0+y)*s+x0 : (y0+y)*s+x0+DigitSize]
				for x, p := range src[y*DigitSize : (y+1)*DigitSize] {
					row[x] = max(row[x], float32(p)*(1.0/255))
				}
			}
			m.x, m.vx = bounce(m.x+m.vx, m.vx, limit)
			m.y, m.vy = bounce(m.y+m.vy, m.vy, limit)
		}
	}
	return clip, nil
}

// bounce reflects a coordinate that left [0, limit] back inside, flipping
// the velocity once per reflection (a fast digit may reflect twice).
func bounce(p, v, limit float64) (float64, float64) {
	if limit == 0 {
		return 0, v
	}
	for p < 0 || p > limit {
		if p < 0 {
			p = -p
		} else {
			p = 2*limit - p
		}
		v = -v
	}
	return p, v
}
