// Command imgtx is the Image Transformer (Parmar et al., ICML 2018) on the
// command line: an autoregressive model of pixels built from local
// self-attention, for sampling, image completion and super-resolution,
// with the gated PixelCNN as a baseline in the same code.
//
// The command itself only wires flags to pkg/imgtx and pkg/imageio; the
// shared input, output and exit-code conventions come from pkg/cliutil.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const name = "imgtx"

const description = `Implements "Image Transformer" by Parmar, Vaswani, Uszkoreit, Kaiser,
Shazeer, Ku and Tran (ICML 2018). Every pixel channel is a 256-way
categorical value predicted from the ones before it; instead of attending
to the whole image, each block of query positions attends to a local
memory of the positions just before it (local 1D) or around it (local 2D),
which keeps the cost linear in the image size. Models can be conditioned
on a class or, as an encoder-decoder, on a low-resolution image
(super-resolution). The gated PixelCNN (van den Oord et al. 2016) is
trained by the same code as a baseline. Likelihoods are reported in bits
per dimension, the discrete likelihood of the 8-bit values. Everything
runs on the CPU.

The built-in data is MNIST as 8-bit grey digits (55,000 training, 5,000
validation and 10,000 test images); 'imgtx train' also reads image folders,
converted to the model's size. The embedded models were trained on those
MNIST digits as 28x28 8-bit grey images: embedded:transformer (the
default; local 1D, 0.950 bits/dim on the test digits), embedded:pixelcnn
(the gated PixelCNN, 1.123), embedded:class (class-conditional, the
default of sample --class) and embedded:upscale (7x7 -> 28x28
super-resolution, the default of upscale).`

const examples = `   imgtx train --epoch-images 4000 --epochs 10 --dropout 0 -o tx.safetensors
   imgtx train --arch pixelcnn --epoch-images 4000 --epochs 10 -o pcnn.safetensors
   imgtx train --cond class --attention local2d -o class.safetensors
   imgtx train --cond lowres --lowres 7 -o upscale.safetensors
   imgtx eval --model tx.safetensors --json
   imgtx sample --class 3 --count 16 -o samples/
   imgtx sample --class all --count 10 -o digits/
   imgtx complete --model tx.safetensors --rows 14 --count 4 digit.png -o out/
   imgtx upscale --temperature 0.9 small.png -o out/
   imgtx attend --model tx.safetensors digit.png -o out/
   source <(imgtx completion bash)`

// newApp builds the imgtx command-line app.
func newApp() *cli.App {
	commands := []*cli.Command{
		trainCommand(),
		evalCommand(),
		sampleCommand(),
		completeCommand(),
		upscaleCommand(),
		attendCommand(),
		renderCommand(),
	}
	app := cliutil.NewApp(name, "local self-attention image generation (Parmar et al. 2018) on the CPU", description, commands)
	cliutil.AddHelp(app, examples, nil)
	return app
}
