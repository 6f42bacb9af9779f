package nonlocal

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
	"github.com/attnkit/attn/pkg/viz"
)

// Input turns user pictures into one input of the model: for a clip model
// the frames of a clip, sampled evenly to its Frames (repeated when there
// are fewer), and for an image model exactly one image. Each picture is
// converted to grey (when the model takes one channel) and resized to
// Side×Side by area averaging, values in [0, 1].
func (m *Model) Input(frames []image.Image) ([]float32, error) {
	c := m.Cfg
	if len(frames) == 0 {
		return nil, fmt.Errorf("no frames")
	}
	if !c.Clip() && len(frames) != 1 {
		return nil, fmt.Errorf("%d frames given to an image model (it takes one picture)", len(frames))
	}
	if c.Channels != 1 && c.Channels != 3 {
		return nil, fmt.Errorf("a %d-channel model takes no pictures", c.Channels)
	}
	t := max(c.Frames, 1)
	plane := c.Side * c.Side
	x := make([]float32, m.InputSize())
	var img *tensor.Tensor
	for f, last := 0, -1; f < t; f++ {
		// With fewer pictures than frames, consecutive frames repeat one
		// picture: it is resized once.
		if src := f * len(frames) / t; src != last {
			img = imageio.ToTensorResized(frames[src], c.Channels == 1, c.Side, c.Side, imageio.Area)
			last = src
		}
		// Clips are [C, T, H, W]: channel ch of frame f is at (ch·T + f)·plane.
		for ch := 0; ch < c.Channels; ch++ {
			copy(x[(ch*t+f)*plane:(ch*t+f+1)*plane], img.Data[ch*plane:(ch+1)*plane])
		}
	}
	return x, nil
}

// Frames returns input x (one clip or image of the model's shape) as
// pictures at the model's resolution, one per frame.
func (m *Model) Frames(x []float32) []image.Image {
	c := m.Cfg
	return TaskSpec{Mode: c.Mode, Frames: c.Frames, Side: c.Side, Channels: c.Channels}.Pictures(x)
}

// Pictures returns one sample x of the task as pictures, one per frame.
func (t TaskSpec) Pictures(x []float32) []image.Image {
	n := max(t.Frames, 1)
	plane := t.Side * t.Side
	var out []image.Image
	for f := 0; f < n; f++ {
		tt := tensor.New(t.Channels, t.Side, t.Side)
		for ch := 0; ch < t.Channels; ch++ {
			copy(tt.Data[ch*plane:(ch+1)*plane], x[(ch*n+f)*plane:(ch*n+f+1)*plane])
		}
		out = append(out, imageio.FromTensor(tt))
	}
	return out
}

// GrayGIF returns grey frames as an animated GIF with a 256-level grey
// palette, so the clip reads back with exactly its pixel values.
func GrayGIF(frames []image.Image, delay int) (*gif.GIF, error) {
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{Y: uint8(i)}
	}
	return viz.BuildGIF(frames, viz.GIFOptions{Delay: delay, Palette: pal, NoDither: true})
}
