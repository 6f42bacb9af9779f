package data

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestMovingClip(t *testing.T) {
	d := fakeDigits(20, 4)
	cfg := MovingConfig{}
	rng := rand.New(rand.NewPCG(7, 8))
	counts := map[int]int{}
	bounced := 0
	for c := 0; c < 60; c++ {
		clip, err := MovingClip(rng, d, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, T, n := clip.Size, len(clip.Squares), len(clip.Labels)
		if s != 64 || T != 16 || len(clip.Frames) != T*s*s || len(clip.Boxes) != T {
			t.Fatalf("clip %d: size %d, %d frames", c, s, T)
		}
		counts[n]++
		for k, src := range clip.Sources {
			if clip.Labels[k] != d.Label(src) {
				t.Fatalf("clip %d: label %d for digit %d", c, clip.Labels[k], src)
			}
		}
		for tt := 0; tt < T; tt++ {
			frame := clip.Frames[tt*s*s : (tt+1)*s*s]
			for k := 0; k < n; k++ {
				sq, b := clip.Squares[tt][k], clip.Boxes[tt][k]
				if !sq.Inside(s, s) || !b.Inside(s, s) || sq.W() != DigitSize {
					t.Fatalf("clip %d frame %d: object %d at %v (ink %v) leaves the frame", c, tt, k, sq, b)
				}
				local := inkBox(d.Images[clip.Sources[k]][:], DigitSize, 0)
				if b != local.Translate(sq.X0, sq.Y0) {
					t.Fatalf("clip %d frame %d: ink box %v, square %v", c, tt, b, sq)
				}
				src := &d.Images[clip.Sources[k]]
				for p, v := range src {
					if frame[(sq.Y0+p/DigitSize)*s+sq.X0+p%DigitSize] < float32(v)*(1.0/255) {
						t.Fatalf("clip %d frame %d: object %d not intact", c, tt, k)
					}
				}
				if tt >= 2 {
					// Constant speed: each step moves at most MaxSpeed (plus
					// rounding); a velocity sign flip happens only at a border.
					p0, p1, p2 := clip.Squares[tt-2][k], clip.Squares[tt-1][k], sq
					if math.Hypot(float64(p2.X0-p1.X0), float64(p2.Y0-p1.Y0)) > 5+1.5 {
						t.Fatalf("clip %d: object %d jumped from %v to %v", c, k, p1, p2)
					}
					d1, d2 := p1.X0-p0.X0, p2.X0-p1.X0
					if d1*d2 < 0 {
						bounced++
						if near := min(p1.X0, s-DigitSize-p1.X0); near > 6 {
							t.Fatalf("clip %d: object %d turned at x=%d, away from the borders", c, k, p1.X0)
						}
					}
				}
			}
		}
	}
	if counts[1] < 10 || counts[2] < 10 || bounced == 0 {
		t.Fatalf("digit counts %v, %d bounces", counts, bounced)
	}
}

func TestMovingClipDeterministic(t *testing.T) {
	d := fakeDigits(10, 1)
	cfg := MovingConfig{Frames: 4, MaxDigits: 1}
	a, _ := MovingClip(rand.New(rand.NewPCG(1, 1)), d, cfg)
	b, _ := MovingClip(rand.New(rand.NewPCG(1, 1)), d, cfg)
	c, _ := MovingClip(rand.New(rand.NewPCG(2, 1)), d, cfg)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) || len(a.Labels) != 1 || len(a.Squares) != 4 {
		t.Fatal("clips are not a function of the seed")
	}
}

func TestMovingClipErrors(t *testing.T) {
	d := fakeDigits(2, 1)
	for _, cfg := range []MovingConfig{{Frames: -1}, {Size: 20}, {MinDigits: 3, MaxDigits: 2}, {MinSpeed: 3, MaxSpeed: 1}, {MaxSpeed: math.NaN()}} {
		if _, err := MovingClip(rand.New(rand.NewPCG(1, 1)), d, cfg); err == nil {
			t.Fatalf("config %+v accepted", cfg)
		}
	}
	if _, err := MovingClip(rand.New(rand.NewPCG(1, 1)), nil, MovingConfig{}); err == nil {
		t.Fatal("nil digits accepted")
	}
	// A frame exactly one digit wide pins the digits in place.
	clip, err := MovingClip(rand.New(rand.NewPCG(1, 1)), d, MovingConfig{Size: DigitSize, Frames: 3})
	if err != nil || clip.Squares[2][0] != (Box{0, 0, DigitSize, DigitSize}) {
		t.Fatalf("28-pixel frames: %v %v", err, clip.Squares)
	}
}

func TestBounce(t *testing.T) {
	cases := []struct{ p, v, limit, wantP, wantV float64 }{
		{5, 1, 10, 5, 1},
		{-2, -3, 10, 2, 3},
		{12, 3, 10, 8, -3},
		{25, 30, 10, 5, 30}, // reflects twice
	}
	for _, c := range cases {
		p, v := bounce(c.p, c.v, c.limit)
		if p != c.wantP || v != c.wantV {
			t.Errorf("bounce(%v, %v, %v) = %v, %v", c.p, c.v, c.limit, p, v)
		}
	}
}
