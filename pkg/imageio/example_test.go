package imageio_test

import (
	"fmt"

	"github.com/attnkit/attn/pkg/imageio"
)

// Open an image with the default limits and turn it into a normalised
// [3,H,W] tensor ready for an ImageNet-style model.
func Example() {
	img, err := imageio.Open("../../testdata/images/rgb.png", imageio.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := imageio.ToTensor(img, false)               // [3,12,16], values in [0,1]
	x = imageio.ResizeTensor(x, 8, 8, imageio.Area) // [3,8,8]
	imageio.Normalize(x, imageio.ImageNetMean[:], imageio.ImageNetStd[:])
	fmt.Println(x.Shape)

	_, err = imageio.Open("../../testdata/images/huge-header.png", imageio.Options{})
	fmt.Println(err)
	// Output:
	// [3 8 8]
	// ../../testdata/images/huge-header.png: 100000x100000 pixels exceeds the limit of 64000000 pixels
}

func ExampleOutputPath() {
	p, _ := imageio.OutputPath("out", "photos/cat.jpg", "_attn", "png")
	fmt.Println(p)
	// Output: out/cat_attn.png
}
