// Command glimpse is the Recurrent Attention Model of Mnih, Heess, Graves
// and Kavukcuoglu (NIPS 2014, "Recurrent Models of Visual Attention") on
// the command line: a retina that sees an image through a few patches of
// growing size around one point, and a recurrent network that learns where
// to put that point next.
//
// The command itself only wires flags to pkg/ram, pkg/imageio and pkg/viz;
// the shared input, output and exit-code conventions come from pkg/cliutil.
package main

import (
	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/urfave/cli/v2"
)

func main() { cliutil.Main(newApp()) }

const description = `Implements the Recurrent Attention Model of Mnih, Heess, Graves and
Kavukcuoglu, "Recurrent Models of Visual Attention" (NIPS 2014). The model
looks at an image through a glimpse sensor: K square patches centred on one
location, the first GxG pixels wide and each next one twice as wide, all
reduced to GxG. A recurrent core decides where to look next and, after a
few glimpses, which class the image shows. Everything runs on the CPU.

The embedded models, one per --task, were trained on the first 55,000
MNIST training digits, white on black: as they are, 28x28 (mnist), placed
anywhere on a 60x60 canvas (translated), or among 4 or 8 fragments of
other digits on a 60x60 or 100x100 canvas (cluttered60, cluttered100).

Locations are normalised: (-1,-1) is the top-left corner of the image,
(0,0) its centre and (1,1) its bottom-right corner.`

const examples = `   # the retina at the image centre, 3 scales of 12x12, one PNG per input
   glimpse sensor photo.jpg --at center --patch 12 --scales 3 -o out/

   # one image at pixel (40,25), with the patch boxes drawn on the image
   glimpse sensor --px --at 40,25 --overlay -o out/ photo.png

   # paths on stdin, second of four shards, one JSON object per input
   find photos -name '*.jpg' | glimpse sensor --shard 1/4 --json -o out/ -

   # train on cluttered 60x60 MNIST, measure the test error, classify scans
   glimpse train --task cluttered60 -o c60.safetensors
   glimpse eval --task cluttered60 --model c60.safetensors
   glimpse predict --task cluttered60 -o out/ scans/`

// newApp builds the glimpse command-line app.
func newApp() *cli.App {
	commands := []*cli.Command{
		sensorCommand(),
		trainCommand(),
		evalCommand(),
		predictCommand(),
		renderCommand(),
	}
	app := cliutil.NewApp("glimpse", "recurrent visual attention (Mnih et al. 2014) on the CPU", description, commands)
	app.CustomAppHelpTemplate = cli.AppHelpTemplate + `
EXAMPLES:
` + examples + `
`
	return app
}
