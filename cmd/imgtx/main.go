// Command imgtx is the Image Transformer (Parmar et al., ICML 2018) on the
// command line: an autoregressive model of pixels built from local
// self-attention, for image completion, super-resolution and sampling.
//
// Only the shared commands (version, completion) exist yet; the model
// commands are listed under COMING in --help.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const name = "imgtx"

const description = `Implements "Image Transformer" by Parmar, Vaswani, Uszkoreit, Kaiser,
Shazeer, Ku and Tran (ICML 2018). Every pixel channel is a 256-way
categorical value predicted from the ones before it in raster order;
instead of attending to the whole image, each block of query positions
attends to a local memory of the positions just before it (local 1D) or
around it (local 2D), which keeps the cost linear in the image size.
Likelihoods are reported in bits per dimension. Everything runs on the
CPU.

Only 'version' and 'completion' work in this release; the model commands
listed under COMING are being built.`

const examples = `   imgtx version
   source <(imgtx completion bash)`

// planned are the model commands of later releases, with their intended
// usage, so nobody mistakes their absence for a bug.
var planned = []cliutil.Planned{
	{Name: "complete", Usage: "imgtx complete IMG|DIR|- -o DIR", What: "fill in the bottom half of each image"},
	{Name: "superres", Usage: "imgtx superres IMG|DIR|- -o DIR", What: "8x8 -> 32x32 super-resolution"},
	{Name: "sample", Usage: "imgtx sample -n N -o DIR", What: "draw new images (temperature --temp)"},
	{Name: "eval", Usage: "imgtx eval", What: "negative log-likelihood in bits/dim on a test set"},
	{Name: "train", Usage: "imgtx train", What: "train on MNIST, CIFAR-10 or an image folder"},
}

// newApp builds the imgtx command-line app.
func newApp() *cli.App {
	app := cliutil.NewApp(name, "local self-attention image generation (Parmar et al. 2018) on the CPU", description, nil)
	cliutil.AddHelp(app, examples, planned)
	return app
}
