// Command lpa is Learn to Pay Attention (Jetley, Lord, Lee and Torr, ICLR
// 2018) on the command line: a CNN classifier with trainable attention
// over its intermediate feature maps, whose attention maps double as
// weakly supervised segmentations.
//
// The command itself only wires flags to pkg/lpa, pkg/imageio and pkg/viz;
// the shared input, output and exit-code conventions come from pkg/cliutil.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const name = "lpa"

const description = `Implements "Learn To Pay Attention" by Jetley, Lord, Lee and Torr (ICLR
2018). A VGG-style CNN computes local features at several depths and a
global feature at the end; a compatibility score between each local
feature and the global one (parametrised: <u, l_i + g>, or dot product),
normalised with a softmax over space, pools each level into an
attention-weighted descriptor, and the classifier sees only those. The
maps show what the decision rests on and, binarised, segment the object.
The same code trains the baseline (the VGG with a global-average-pooling
head) and its class activation maps (CAM). Everything runs on the CPU.

The built-in task is textured digits: one whole MNIST digit on a 64x64
procedural colour texture among 2-4 fragments of other digits, with the
digit's mask as ground truth. The embedded models (att and baseline) were
trained on it, the first 55,000 MNIST training digits rendered anew on
textures every epoch for 8 epochs. 'lpa train' also reads CIFAR-10/100
binary files and image folders (one sub-folder per class).`

const examples = `   lpa train --data builtin --epochs 30 --schedule cosine -o att.safetensors
   lpa eval --model att.safetensors --json
   lpa eval --model att.safetensors --segment --json
   lpa eval --model att.safetensors --fgsm 0.1
   lpa attend --model att.safetensors photo.png -o out/
   lpa segment --model att.safetensors digits/ -o masks/
   lpa render --count 8 -o samples/ && lpa attend --panel -o out/ samples/
   lpa ablate --epochs 5 --limit 10000
   source <(lpa completion bash)`

// newApp builds the lpa command-line app.
func newApp() *cli.App {
	commands := []*cli.Command{
		trainCommand(),
		evalCommand(),
		attendCommand(),
		segmentCommand(),
		renderCommand(),
		ablateCommand(),
	}
	app := cliutil.NewApp(name, "attention-gated CNN classification (Jetley et al. 2018) on the CPU", description, commands)
	cliutil.AddHelp(app, examples, nil)
	return app
}
