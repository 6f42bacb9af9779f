package cliutil

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestInterspersed(t *testing.T) {
	app := &cli.App{Name: "tool", Commands: []*cli.Command{
		{Name: "run", Flags: []cli.Flag{
			&cli.StringFlag{Name: "at"}, &cli.BoolFlag{Name: "json"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}},
		}},
		{Name: "group", Subcommands: []*cli.Command{{Name: "leaf", Flags: []cli.Flag{&cli.IntFlag{Name: "n"}}}}},
	}}
	for _, c := range []struct{ in, want string }{
		{"tool run a.png --at 0,0 -o out b.png", "tool run --at 0,0 -o out a.png b.png"},
		{"tool run --json a.png", "tool run --json a.png"},
		{"tool run - --json --at=-1,1", "tool run --json --at=-1,1 -"},
		{"tool run a.png --at -0.5,0.25", "tool run --at -0.5,0.25 a.png"},
		{"tool run a.png -- --at b", "tool run -- a.png --at b"},
		{"tool run a.png --bogus", "tool run --bogus a.png"},
		{"tool run a.png --at", "tool run --at"},
		{"tool group leaf x --n 3", "tool group leaf --n 3 x"},
		{"tool run a.png --json --generate-bash-completion", "tool run --json a.png --generate-bash-completion"},
		{"tool unknown a --x", "tool unknown a --x"},
		{"tool", "tool"},
	} {
		got := strings.Join(interspersed(app, strings.Fields(c.in)), " ")
		if got != c.want {
			t.Errorf("interspersed(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
