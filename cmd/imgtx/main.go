// Command imgtx is the Image Transformer (Parmar et al., ICML 2018) on the
// command line: an autoregressive model of pixels built from local
// self-attention, for image completion, super-resolution and sampling.
//
// Only the shared commands (version, completion) exist yet; the model
// commands are listed under COMING in --help.
package main

import (
	"fmt"
	"os"

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
var planned = []plannedCommand{
	{"complete", "imgtx complete IMG|DIR|- -o DIR", "fill in the bottom half of each image"},
	{"superres", "imgtx superres IMG|DIR|- -o DIR", "8x8 -> 32x32 super-resolution"},
	{"sample", "imgtx sample -n N -o DIR", "draw new images (temperature --temp)"},
	{"eval", "imgtx eval", "negative log-likelihood in bits/dim on a test set"},
	{"train", "imgtx train", "train on MNIST, CIFAR-10 or an image folder"},
}

type plannedCommand struct{ name, usage, what string }

// newApp builds the imgtx command-line app.
func newApp() *cli.App {
	app := cliutil.NewApp(name, "local self-attention image generation (Parmar et al. 2018) on the CPU", description, nil)
	app.CustomAppHelpTemplate = cli.AppHelpTemplate + "\nEXAMPLES:\n" + examples + "\n\nCOMING (not built yet):\n" + plannedHelp() + "\n"
	app.CommandNotFound = notBuilt
	return app
}

// plannedHelp formats the planned commands for --help.
func plannedHelp() string {
	s := ""
	for _, p := range planned {
		s += fmt.Sprintf("   %-40s %s\n", p.usage, p.what)
	}
	return s[:len(s)-1]
}

// notBuilt explains an unknown command, naming planned ones as such.
// urfave/cli gives this hook no error return, so it exits itself with the
// usage exit code.
func notBuilt(c *cli.Context, cmd string) {
	for _, p := range planned {
		if p.name == cmd {
			fmt.Fprintf(c.App.ErrWriter, "%s: '%s %s' is planned but not built yet (see '%s --help')\n", name, name, cmd, name)
			os.Exit(cliutil.ExitUsage)
		}
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: unknown command %q (see '%s --help')\n", name, cmd, name)
	os.Exit(cliutil.ExitUsage)
}
