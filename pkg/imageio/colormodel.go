package imageio

import (
	"image"
	"image/color"
)

// IsGray reports whether an image has no colour to keep: its colour model
// is 8- or 16-bit gray. Tools pass it to ToTensor so that gray inputs give
// gray outputs.
func IsGray(img image.Image) bool {
	m := img.ColorModel()
	return m == color.GrayModel || m == color.Gray16Model
}
