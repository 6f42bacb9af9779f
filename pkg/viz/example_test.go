package viz_test

import (
	"fmt"
	"image/color"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/viz"
)

// Overlay a 2x2 attention grid on a photo, mark the most attended cell
// and label it.
func ExampleHeatmap() {
	img, err := imageio.Open("../../testdata/images/rgb.jpg", imageio.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	attn, err := viz.GridTensor([][]float32{
		{0.1, 0.2},
		{0.3, 0.4},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := viz.Heatmap(img, attn, viz.Turbo(), viz.DefaultAlpha)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The bottom-right cell (0.4) is the centre of the bottom-right quarter.
	viz.Marker(out, 24, 18, 1, color.RGBA{255, 255, 255, 255})
	viz.Label(out, 0, 0, "p=0.4", color.White, color.RGBA{0, 0, 0, 160})
	fmt.Println(out.Bounds())
	// Output: (0,0)-(32,24)
}
