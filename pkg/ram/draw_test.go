package ram

import (
	"image"
	"testing"
)

func TestRetinaImageLayout(t *testing.T) {
	s := Sensor{Patch: 2, Scales: 2}
	g := []float32{0, 0.5, 1, 2, 0.25, 0.25, 0.25, -1} // [2][1][2][2]
	img := RetinaImage(g, 1, s, 3).(*image.Gray)
	if b := img.Bounds(); b.Dx() != 2*6+RetinaGap || b.Dy() != 6 {
		t.Fatalf("bounds %v", b)
	}
	for _, c := range []struct {
		x, y int
		want uint8
	}{{0, 0, 0}, {3, 0, 128}, {5, 2, 128}, {0, 3, 255}, {5, 5, 255}, {6, 0, RetinaGapGray}, {8, 0, 64}, {13, 5, 0}} {
		if got := img.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

// A small image is enlarged to at least OverlayMinSide, and the canvas
// grows to hold boxes that reach past the image.
func TestSensorOverlaySize(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 32, 24))
	s := Sensor{Patch: 12, Scales: 3} // the widest box is 48 px
	ov := SensorOverlay(img, s, -0.5, 0.25)
	b := ov.Bounds()
	if max(b.Dx(), b.Dy()) < OverlayMinSide || b.Dx() <= 32*(OverlayMinSide/32) {
		t.Errorf("overlay %v", b)
	}
}

// Frames draws one frame per glimpse plus the bare canvas, all of the
// zoomed canvas size, and PathGIF holds them all.
func TestPathFrames(t *testing.T) {
	d := PathDrawing{Sensor: Sensor{Patch: 4, Scales: 2}, Side: 16, Zoom: 3, Locs: []float32{0, 0, 0.5, -0.5, -0.5, 0.5}, Class: 7, Prob: 0.9}
	frames := d.Frames(make([]float32, 16*16))
	if len(frames) != 4 {
		t.Fatalf("%d frames, want 4", len(frames))
	}
	for _, f := range frames {
		if f.Bounds() != image.Rect(0, 0, 48, 48) {
			t.Fatalf("frame %v", f.Bounds())
		}
	}
	g, err := PathGIF(frames, 2)
	if err != nil || len(g.Image) != 4 || g.Delay[3] != 250 {
		t.Fatalf("gif: %v", err)
	}
}
