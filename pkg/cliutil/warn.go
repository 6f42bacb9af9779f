package cliutil

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Warn prints one line on stderr, "tool: warning: message", unless
// --quiet was given. A warning never changes the exit code: the results
// on stdout stand, and the line says what to be wary of.
func Warn(c *cli.Context, format string, args ...any) {
	if c.Bool(FlagQuiet) {
		return
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: warning: %s\n", c.App.Name, fmt.Sprintf(format, args...))
}
