// Command caption is Show, Attend and Tell (Xu et al., ICML 2015) on the
// command line: an image captioner whose LSTM decoder attends to a grid of
// CNN features and shows, for every word, where it looked.
//
// Only the shared commands (version, completion) exist yet; the model
// commands land with pkg/sat and are listed under COMING in --help.
package main

import (
	"fmt"
	"os"

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
var planned = []plannedCommand{
	{"describe", "caption describe IMG|DIR|- -o DIR", "captions + per-word attention maps"},
	{"train", "caption train", "train the captioner on generated captioned scenes"},
	{"eval", "caption eval", "BLEU-1..4 of the generated captions on a test set"},
}

type plannedCommand struct{ name, usage, what string }

// newApp builds the caption command-line app.
func newApp() *cli.App {
	app := cliutil.NewApp(name, "image captioning with visual attention (Xu et al. 2015) on the CPU", description, nil)
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
