// Command caption is Show, Attend and Tell (Xu et al., ICML 2015) on the
// command line: an image captioner whose LSTM decoder attends to a grid of
// CNN features and shows, for every word, where it looked.
//
// The command itself only wires flags to pkg/caption, pkg/imageio and
// pkg/viz; the shared input, output and exit-code conventions come from
// pkg/cliutil.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const name = "caption"

const description = `Implements "Show, Attend and Tell: Neural Image Caption Generation with
Visual Attention" by Xu, Ba, Kiros, Cho, Courville, Salakhutdinov, Zemel
and Bengio (ICML 2015). A CNN turns the image into an 8x8 grid of
annotation vectors; an LSTM writes the caption one word at a time and,
before each word, computes attention weights over the grid (soft: a
weighted average, trained by backpropagation with the doubly stochastic
penalty; hard: a sampled location, trained with REINFORCE), so every word
comes with a map of where the model looked. The no-attention baseline
feeds the mean annotation instead. Decoding is beam search. Everything
runs on the CPU.

The built-in data are captioned scenes: 1-3 coloured MNIST digits of two
sizes on a dark 64x64 canvas, with 5 reference sentences each ("a red 3
above a large blue 7"). The embedded models (soft, hard and baseline,
trained as the paper trains them, and soft-sup and hard-sup, whose
attention was also supervised by the boxes the words name) were trained
on these scenes, drawn from the first 55,000 MNIST training digits,
55,000 new scenes per epoch for 6 to 11 epochs. 'caption train' also
reads the Karpathy-split JSON of Flickr8k, Flickr30k and COCO with an
image folder.`

const examples = `   caption train --attention soft --epochs 10 -o soft.safetensors
   caption eval --model soft.safetensors --json
   caption render --count 8 -o scenes/
   caption predict --model soft.safetensors scenes/
   caption attend --model soft.safetensors scenes/scene_00000.png -o out/
   source <(caption completion bash)`

// newApp builds the caption command-line app.
func newApp() *cli.App {
	commands := []*cli.Command{
		trainCommand(),
		evalCommand(),
		predictCommand(),
		attendCommand(),
		renderCommand(),
	}
	app := cliutil.NewApp(name, "image captioning with visual attention (Xu et al. 2015) on the CPU", description, commands)
	cliutil.AddHelp(app, examples, nil)
	return app
}
