// Command nonlocal is Non-local Neural Networks (Wang, Girshick, Gupta and
// He, CVPR 2018) on the command line: a CNN with non-local blocks that
// relate every position to every other, and the classic non-local means
// denoiser (Buades, Coll and Morel, 2005) that inspired them.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const name = "nonlocal"

const description = `Implements "Non-local Neural Networks" by Wang, Girshick, Gupta and He
(CVPR 2018). A non-local block computes, for every position i, a weighted
mean of features at all positions j, y_i = 1/C(x) sum_j f(x_i, x_j) g(x_j),
with f an embedded Gaussian (a softmax, i.e. self-attention), Gaussian,
dot product or concatenation, and adds it back through a zero-initialised
residual. It generalises non-local means (Buades, Coll and Morel, CVPR
2005), which denoises an image by averaging pixels whose neighbourhoods
look alike, wherever they are. Everything runs on the CPU.

The built-in clip task shows two moving digits that are never on screen
together and asks for their sum mod 10: per-frame convolutions averaged
over time (the C2D baseline) cannot relate them, a spacetime block can.
The embedded models (c2d and nl) were trained on it, 8-frame 32x32 grey
clips made from the first 55,000 MNIST training digits, for 4 epochs from
a classifier of single frames.`

const examples = `   nonlocal train --blocks 0 -o c2d.safetensors
   nonlocal train --blocks 1 -o nl.safetensors
   nonlocal eval --model nl.safetensors --json
   nonlocal render --count 4 -o clips/ && nonlocal attend --model nl.safetensors -o out/ clips/*.gif
   nonlocal ablate --json -o runs/ablate

   # non-local means with the noise level estimated per image
   nonlocal denoise noisy.png -o out/

   # a folder, known noise level, one JSON object per image
   nonlocal denoise --sigma 20 --json -o out/ scans/

   source <(nonlocal completion bash)`

// planned are the model commands of later releases, with their intended
// usage, so nobody mistakes their absence for a bug.
var planned []cliutil.Planned

// newApp builds the nonlocal command-line app.
func newApp() *cli.App {
	app := cliutil.NewApp(name, "non-local blocks (Wang et al. 2018) and non-local means on the CPU", description,
		[]*cli.Command{trainCommand(), evalCommand(), predictCommand(), attendCommand(), ablateCommand(), renderCommand(), denoiseCommand()})
	cliutil.AddHelp(app, examples, planned)
	return app
}
