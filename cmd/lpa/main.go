// Command lpa is Learn to Pay Attention (Jetley, Lord, Lee and Torr, ICLR
// 2018) on the command line: a CNN classifier with trainable attention
// over its intermediate feature maps, whose attention maps double as
// weakly supervised segmentations.
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

const name = "lpa"

const description = `Implements "Learn To Pay Attention" by Jetley, Lord, Lee and Torr (ICLR
2018). A VGG-style CNN computes local features at several depths and a
global feature at the end; a compatibility score between each local
feature and the global one (parametrised: <u, l_i + g>, or dot product),
normalised with a softmax over space, pools each level into an
attention-weighted descriptor, and the classifier sees only those. The
maps show what the decision rests on and, binarised, segment the object.
Everything runs on the CPU.

Only 'version' and 'completion' work in this release; the model commands
listed under COMING are being built.`

const examples = `   lpa version
   source <(lpa completion bash)`

// planned are the model commands of later releases, with their intended
// usage, so nobody mistakes their absence for a bug.
var planned = []plannedCommand{
	{"attend", "lpa attend IMG|DIR|- -o DIR", "class + attention heatmap per level"},
	{"segment", "lpa segment IMG|DIR|- -o DIR", "binarised attention maps as masks"},
	{"train", "lpa train", "train VGG-att on CIFAR-10/100 or an image folder"},
	{"eval", "lpa eval [--segment|--fgsm EPS]", "top-1 error, segmentation IoU or FGSM robustness"},
	{"ablate", "lpa ablate", "compare pc/dp compatibility, levels and heads"},
}

type plannedCommand struct{ name, usage, what string }

// newApp builds the lpa command-line app.
func newApp() *cli.App {
	app := cliutil.NewApp(name, "attention-gated CNN classification (Jetley et al. 2018) on the CPU", description, nil)
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
