// Command caption is Show, Attend and Tell (Xu et al., ICML 2015) on the
// command line: an image captioner whose LSTM decoder attends to a grid of
// CNN features and shows, for every word, where it looked.
//
// Only the shared commands (version, completion) exist yet; the model
// commands land with pkg/sat and are listed under COMING in --help.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const name = "caption"

const description = `Implements "Show, Attend and Tell: Neural Image Caption Generation with
Visual Attention" by Xu, Ba, Kiros, Cho, Courville, Salakhutdinov, Zemel
and Bengio (ICML 2015). A CNN turns the image into a grid of annotation
vectors; an LSTM writes the caption one word at a time and, before each
word, computes soft attention weights over the grid (with the doubly
stochastic penalty of the paper), so every word comes with a map of where
the model looked. Everything runs on the CPU.

Only 'version' and 'completion' work in this release; the model commands
listed under COMING are being built.`

const examples = `   caption version
   source <(caption completion bash)`

// planned are the model commands of later releases, with their intended
// usage, so nobody mistakes their absence for a bug.
var planned = []cliutil.Planned{
	{Name: "describe", Usage: "caption describe IMG|DIR|- -o DIR", What: "captions + per-word attention maps"},
	{Name: "train", Usage: "caption train", What: "train the captioner on generated captioned scenes"},
	{Name: "eval", Usage: "caption eval", What: "BLEU-1..4 of the generated captions on a test set"},
}

// newApp builds the caption command-line app.
func newApp() *cli.App {
	app := cliutil.NewApp(name, "image captioning with visual attention (Xu et al. 2015) on the CPU", description, nil)
	cliutil.AddHelp(app, examples, planned)
	return app
}
