package cliutil

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// Planned is a command a tool will have in a later release. Listing it in
// --help (and refusing it by name) keeps users from mistaking its absence
// for a bug, and never fakes its output.
type Planned struct {
	Name  string // the command word
	Usage string // how it will be called
	What  string // what it will do
}

// AddHelp appends EXAMPLES and, when planned is not empty, a COMING
// section to the app's help, and makes a planned command exit with the
// usage code and one line saying it is not built yet.
func AddHelp(app *cli.App, examples string, planned []Planned) {
	help := cli.AppHelpTemplate + "\nEXAMPLES:\n" + examples + "\n"
	if len(planned) > 0 {
		var b strings.Builder
		for _, p := range planned {
			fmt.Fprintf(&b, "   %-40s %s\n", p.Usage, p.What)
		}
		help += "\nCOMING (not built yet):\n" + b.String()
	}
	app.CustomAppHelpTemplate = help
	name := app.Name
	// urfave/cli gives this hook no error return, so it exits itself with
	// the usage exit code.
	app.CommandNotFound = func(c *cli.Context, cmd string) {
		for _, p := range planned {
			if p.Name == cmd {
				fmt.Fprintf(c.App.ErrWriter, "%s: '%s %s' is planned but not built yet (see '%s --help')\n", name, name, cmd, name)
				os.Exit(ExitUsage)
			}
		}
		fmt.Fprintf(c.App.ErrWriter, "%s: unknown command %q (see '%s --help')\n", name, cmd, name)
		os.Exit(ExitUsage)
	}
}
