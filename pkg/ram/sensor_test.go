package ram

import "testing"

func TestRoundHalfUp(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want int
	}{{0, 0}, {0.5, 1}, {0.49, 0}, {-0.5, 0}, {-0.51, -1}, {-1.5, -1}, {-2.2, -2}, {3.7, 4}} {
		if got := roundHalfUp(c.v); got != c.want {
			t.Errorf("roundHalfUp(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestSensorExtract(t *testing.T) {
	// A 8×8 image holding its own pixel index makes every read traceable.
	const n = 8
	img := make([]float32, n*n)
	for i := range img {
		img[i] = float32(i)
	}
	s := Sensor{Patch: 2, Scales: 3}
	dst := make([]float32, s.Size())
	s.Extract(dst, img, 1, n, n, 0, 0)
	// Scale 0: 2×2 at the centre, pixels (3..4, 3..4).
	want0 := []float32{27, 28, 35, 36}
	for i, w := range want0 {
		if dst[i] != w {
			t.Fatalf("scale 0 = %v, want %v", dst[:4], want0)
		}
	}
	// Scale 1: 4×4 from (2,2), 2×2 blocks averaged.
	avg := func(y, x, f int) float32 {
		var s float32
		for i := 0; i < f; i++ {
			for j := 0; j < f; j++ {
				s += img[(y+i)*n+x+j]
			}
		}
		return s / float32(f*f)
	}
	want1 := []float32{avg(2, 2, 2), avg(2, 4, 2), avg(4, 2, 2), avg(4, 4, 2)}
	for i, w := range want1 {
		if dst[4+i] != w {
			t.Fatalf("scale 1 = %v, want %v", dst[4:8], want1)
		}
	}
	// Scale 2: the whole image in 4×4 blocks.
	want2 := []float32{avg(0, 0, 4), avg(0, 4, 4), avg(4, 0, 4), avg(4, 4, 4)}
	for i, w := range want2 {
		if dst[8+i] != w {
			t.Fatalf("scale 2 = %v, want %v", dst[8:12], want2)
		}
	}
}

func TestSensorOutsideIsZero(t *testing.T) {
	const n = 6
	img := make([]float32, n*n)
	for i := range img {
		img[i] = 1
	}
	s := Sensor{Patch: 4, Scales: 2}
	dst := make([]float32, s.Size())
	// Top-left corner: the centre of the 4×4 patch is pixel corner (0,0).
	s.Extract(dst, img, 1, n, n, -1, -1)
	want := []float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1}
	for i, w := range want {
		if dst[i] != w {
			t.Fatalf("scale 0 = %v, want %v", dst[:16], want)
		}
	}
	// Scale 1 covers 8×8 from (-4,-4) in 2×2 blocks: only the bottom-right
	// 2×2 of the output lies on the image.
	if dst[16] != 0 || dst[16+5] != 0 || dst[16+2*4+2] != 1 || dst[16+3*4+3] != 1 {
		t.Fatalf("scale 1 = %v", dst[16:])
	}
	// Far outside: all zeros, no panic.
	s.Extract(dst, img, 1, n, n, 5, -7)
	for _, v := range dst {
		if v != 0 {
			t.Fatal("far-outside glimpse is not zero")
		}
	}
}

func TestSensorChannels(t *testing.T) {
	img := make([]float32, 3*4*4)
	for c := 0; c < 3; c++ {
		for i := 0; i < 16; i++ {
			img[c*16+i] = float32(c + 1)
		}
	}
	s := Sensor{Patch: 2, Scales: 1}
	dst := make([]float32, 3*s.Size())
	s.Extract(dst, img, 3, 4, 4, 0, 0)
	for c := 0; c < 3; c++ {
		for i := 0; i < 4; i++ {
			if dst[c*4+i] != float32(c+1) {
				t.Fatalf("channel %d = %v", c, dst[c*4:c*4+4])
			}
		}
	}
}
