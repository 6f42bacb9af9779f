package cliutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// Version is the toolkit version, set at build time with
// -ldflags "-X github.com/attnkit/attn/pkg/cliutil.Version=v1.2.3";
// otherwise the module version or VCS revision from the build info.
var Version = ""

// VersionString returns the version, Go version and platform.
func VersionString() string {
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v += "+" + s.Value[:12]
				}
			}
		}
	}
	return fmt.Sprintf("%s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// NewApp returns a urfave/cli app with the toolkit's shared behaviour: a
// version command, shell completion, usage errors mapped to exit 2, and no
// os.Exit inside the library (Main decides the exit code).
func NewApp(name, usage, description string, commands []*cli.Command) *cli.App {
	app := &cli.App{
		Name:                 name,
		Usage:                usage,
		Description:          description,
		Version:              VersionString(),
		EnableBashCompletion: true,
		HideVersion:          true,
		Writer:               os.Stdout,
		ErrWriter:            os.Stderr,
		ExitErrHandler:       func(*cli.Context, error) {}, // Main handles exits
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return &UsageError{err}
		},
		CommandNotFound: func(c *cli.Context, cmd string) {
			fmt.Fprintf(c.App.ErrWriter, "%s: unknown command %q (see '%s --help')\n", name, cmd, name)
			os.Exit(ExitUsage)
		},
	}
	app.Commands = append(commands,
		&cli.Command{
			Name:  "version",
			Usage: "print the version and exit",
			Action: func(c *cli.Context) error {
				fmt.Fprintf(c.App.Writer, "%s %s\n", name, VersionString())
				return nil
			},
		},
		completionCommand(name),
	)
	// Every command, the shared ones included, reports a bad flag as a
	// usage error (exit 2) rather than urfave/cli's help dump and exit 1.
	var setUsage func([]*cli.Command)
	setUsage = func(cmds []*cli.Command) {
		for _, c := range cmds {
			if c.OnUsageError == nil {
				c.OnUsageError = app.OnUsageError
			}
			setUsage(c.Subcommands)
		}
	}
	setUsage(app.Commands)
	return app
}

// completionCommand prints a completion script for bash, zsh or fish.
func completionCommand(name string) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		UsageText: fmt.Sprintf("%s completion bash > /etc/bash_completion.d/%s\n   source <(%s completion zsh)", name, name, name),
		Action: func(c *cli.Context) error {
			sh := c.Args().First()
			switch sh {
			case "bash":
				fmt.Fprintf(c.App.Writer, bashCompletion, name, name, name)
			case "zsh":
				fmt.Fprintf(c.App.Writer, "autoload -U +X bashcompinit && bashcompinit\n"+bashCompletion, name, name, name)
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				fmt.Fprint(c.App.Writer, s)
			default:
				return Usagef("completion: want bash, zsh or fish, got %q", sh)
			}
			return nil
		},
	}
}

const bashCompletion = `_%s_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _%s_complete %s
`

// Main runs app with os.Args and exits with the toolkit's exit code,
// printing a failure as one line on stderr (per-input failures were
// printed already). It watches SIGINT and SIGTERM: a command that called
// Interruptible stops at its next step, any other exits at once, as every
// command does at a second signal; either way the process's temporary
// files are removed and the exit code is 128 + the signal's number.
func Main(app *cli.App) {
	ctx, stop := watchSignals(app.Name, os.Stderr)
	code := run(ctx, app, os.Args, os.Stderr)
	stop()
	os.Exit(code)
}

// Run runs app on args and returns the exit code; errors go to stderr.
// A command's flags may come before or after its positional arguments.
func Run(app *cli.App, args []string, stderr io.Writer) int {
	return run(context.Background(), app, args, stderr)
}

func run(ctx context.Context, app *cli.App, args []string, stderr io.Writer) int {
	err := app.RunContext(ctx, interspersed(app, args))
	code := ExitCode(err)
	var p *PartialError
	var od *OutDirError
	if err != nil && !errors.As(err, &p) {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(stderr, "%s: %s\n", app.Name, msg)
		if code == ExitUsage && !errors.As(err, &od) {
			fmt.Fprintf(stderr, "%s: see '%s --help'\n", app.Name, app.Name)
		}
	}
	return code
}
