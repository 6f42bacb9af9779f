package cliutil

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// completionFlag is the hidden flag urfave/cli appends for shell
// completion; it must stay the last argument.
const completionFlag = "--generate-bash-completion"

// interspersed reorders args so that a command's flags may follow its
// positional arguments, as in "glimpse sensor photos/ --at 0,0 -o out/".
//
// urfave/cli v2 parses flags with the standard flag package, which stops
// at the first positional argument; without this, every flag after an
// input path would silently become another input path. The command's
// flags (with their values) are moved in front of its positional
// arguments, keeping their order; everything after "--" stays positional,
// "-" (stdin) is positional, and an unknown flag is moved too so that the
// parser reports it as a usage error.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	tail := []string(nil)
	if rest[len(rest)-1] == completionFlag {
		tail = []string{completionFlag}
		rest = rest[:len(rest)-1]
	}
	// Walk global flags and the command path down to the leaf command.
	flags := app.Flags
	var cmd *cli.Command
	subs := app.Commands
	for len(rest) > 0 {
		a := rest[0]
		if a == "--" {
			break
		}
		if isFlagToken(a) {
			n := flagArity(flags, a)
			n = min(n, len(rest)-1)
			out = append(out, rest[:1+n]...)
			rest = rest[1+n:]
			continue
		}
		next := findCommand(subs, a)
		if next == nil {
			break // a positional argument of the command found so far
		}
		out = append(out, a)
		rest = rest[1:]
		cmd = next
		flags = cmd.Flags
		subs = cmd.Subcommands
		if len(subs) == 0 {
			break
		}
	}
	if cmd == nil || len(cmd.Subcommands) > 0 || cmd.SkipFlagParsing {
		return append(append(out, rest...), tail...)
	}
	var fl, pos []string
	dashdash := false
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			dashdash = true
			pos = append(pos, rest[i+1:]...)
			break
		}
		if !isFlagToken(a) {
			pos = append(pos, a)
			continue
		}
		n := flagArity(flags, a)
		if i+n >= len(rest) {
			// A value flag at the very end: leave it last with nothing
			// after it, so the parser reports the missing value instead
			// of taking an input path as the value.
			out = append(append(out, fl...), a)
			return append(out, tail...)
		}
		fl = append(fl, rest[i:i+1+n]...)
		i += n
	}
	out = append(out, fl...)
	if dashdash {
		out = append(out, "--")
	}
	out = append(out, pos...)
	return append(out, tail...)
}

// isFlagToken reports whether a looks like a flag: "-x" or "--name",
// not "-" (stdin) and not "--".
func isFlagToken(a string) bool {
	return len(a) > 1 && a[0] == '-' && a != "--"
}

// flagArity returns how many following arguments a flag token consumes:
// 0 for "--name=value", boolean flags (including -h/--help) and unknown
// flags, 1 for flags that take a value.
func flagArity(flags []cli.Flag, tok string) int {
	name := strings.TrimLeft(tok, "-")
	if strings.Contains(name, "=") {
		return 0
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				if tv, ok := f.(interface{ TakesValue() bool }); ok && tv.TakesValue() {
					return 1
				}
				return 0
			}
		}
	}
	return 0
}

// findCommand returns the command named (or aliased) name, or nil.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
