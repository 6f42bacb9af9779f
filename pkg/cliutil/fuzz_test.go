package cliutil

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// The fuzz targets of this package. Their seed corpora live in
// testdata/fuzz/<target>/ (made by testdata/fuzzseeds/gen.go) and run as
// ordinary tests under go test; bench/fuzz.sh runs the fuzzer on each.

// FuzzPathList feeds arbitrary text to the '-' reader of ExpandInputs.
// It must return exactly the trimmed lines that are neither blank nor
// comments, in order, or, for a line over the 1 MiB limit, a usage error;
// a second '-' reads nothing more.
func FuzzPathList(f *testing.F) {
	f.Fuzz(func(t *testing.T, list string) {
		got, err := ExpandInputs([]string{"-", "-"}, false, strings.NewReader(list))
		var want []string
		tooLong := false
		lines := strings.Split(list, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1] // the newline ending the last line
		}
		for _, l := range lines {
			tooLong = tooLong || len(l) > 1<<20
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				want = append(want, l)
			}
		}
		if tooLong {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("a line over 1 MiB: error %v, want a usage error", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("ExpandInputs: %v", err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paths %q, want %q", got, want)
		}
	})
}

// FuzzParseShard checks --shard parsing: an accepted value satisfies
// 0 <= K < N, prints as K/N and parses back to itself, and its shards
// split any path list into disjoint parts that cover it.
func FuzzParseShard(f *testing.F) {
	f.Fuzz(func(t *testing.T, s, path string) {
		sh, err := ParseShard(s)
		if err != nil {
			if sh != (Shard{}) {
				t.Fatalf("error %v with shard %v", err, sh)
			}
			if ExitCode(Usagef("--shard: %v", err)) != 2 {
				t.Fatal("a bad --shard is not a usage error")
			}
			return
		}
		if sh.K < 0 || sh.N < 1 || sh.K >= sh.N {
			t.Fatalf("ParseShard(%q) = %v", s, sh)
		}
		if again, err := ParseShard(sh.String()); err != nil || again != sh {
			t.Fatalf("%v prints as %q, which parses to %v, %v", sh, sh.String(), again, err)
		}
		if sh.N > 64 {
			return // checking every shard costs N hashes
		}
		in := 0
		for k := 0; k < sh.N; k++ {
			if (Shard{k, sh.N}).Has(path) {
				in++
			}
		}
		if in != 1 {
			t.Fatalf("path %q is in %d of %d shards", path, in, sh.N)
		}
		if sel := sh.Select([]string{path, path}); len(sel) != 0 && len(sel) != 2 {
			t.Fatalf("the same path twice: shard %v keeps %d", sh, len(sel))
		}
	})
}

// FuzzParseInts checks the comma-separated integer flag values: an
// accepted list has one number per comma-separated field and JoinInts
// writes it in a form that parses back to the same list.
func FuzzParseInts(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseInts(s)
		if err != nil {
			if v != nil {
				t.Fatalf("error %v with values %v", err, v)
			}
			return
		}
		if len(v) != strings.Count(s, ",")+1 {
			t.Fatalf("ParseInts(%q) = %v: %d values for %d fields", s, v, len(v), strings.Count(s, ",")+1)
		}
		back, err := ParseInts(JoinInts(v))
		if err != nil || !slices.Equal(back, v) {
			t.Fatalf("%v joins as %q, which parses to %v, %v", v, JoinInts(v), back, err)
		}
	})
}

// fuzzApp is a command tree with value, boolean and aliased flags, a
// command group and a command that parses its own flags.
var fuzzApp = &cli.App{Name: "tool",
	Flags: []cli.Flag{&cli.BoolFlag{Name: "verbose"}, &cli.StringFlag{Name: "config"}},
	Commands: []*cli.Command{
		{Name: "run", Aliases: []string{"r"}, Flags: []cli.Flag{
			&cli.StringFlag{Name: "at"}, &cli.BoolFlag{Name: "json"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}}, &cli.IntFlag{Name: "n"},
		}},
		{Name: "group", Subcommands: []*cli.Command{{Name: "leaf", Flags: []cli.Flag{&cli.IntFlag{Name: "n"}}}}},
		{Name: "raw", SkipFlagParsing: true},
	}}

// FuzzInterspersed checks the argument reordering that lets flags follow
// input paths. Arguments come NUL-separated. The result starts with the
// program name, keeps the completion flag last, and is the same arguments
// in another order, positional ones in their order; the only thing it may
// drop is what precedes a value flag left without its value at the end,
// which the parser then reports.
func FuzzInterspersed(f *testing.F) {
	f.Fuzz(func(t *testing.T, joined string) {
		args := append([]string{"tool"}, strings.Split(joined, "\x00")...)
		if len(args) > 64 {
			args = args[:64]
		}
		in := slices.Clone(args)
		out := interspersed(fuzzApp, args)
		if !slices.Equal(args, in) {
			t.Fatalf("interspersed changed its input: %q became %q", in, args)
		}
		if len(out) == 0 || out[0] != "tool" {
			t.Fatalf("%q became %q: program name lost", in, out)
		}
		if in[len(in)-1] == completionFlag && len(in) > 1 && out[len(out)-1] != completionFlag {
			t.Fatalf("%q became %q: completion flag not last", in, out)
		}
		if len(out) > len(in) {
			t.Fatalf("%q became %q: arguments added", in, out)
		}
		// Every output argument is an input one (as a multiset).
		count := map[string]int{}
		for _, a := range in {
			count[a]++
		}
		for _, a := range out {
			if count[a]--; count[a] < 0 {
				t.Fatalf("%q became %q: %q appears more often", in, out, a)
			}
		}
		if len(out) < len(in) {
			last := out[len(out)-1]
			if last == completionFlag && len(out) > 1 {
				last = out[len(out)-2]
			}
			if !isFlagToken(last) {
				t.Fatalf("%q became %q: arguments dropped without a dangling value flag", in, out)
			}
			return
		}
		// Positional arguments keep their order, flags keep their values,
		// and a reordered list is left as it is.
		if !slices.Equal(positionals(fuzzApp, in), positionals(fuzzApp, out)) {
			t.Fatalf("%q became %q: positional arguments changed", in, out)
		}
		if again := interspersed(fuzzApp, out); !slices.Equal(again, out) {
			t.Fatalf("%q became %q, and then %q", in, out, again)
		}
	})
}

// positionals returns the leaf command's positional arguments as a flag
// parser that takes flags anywhere would see them: the command path is
// followed from the top, a flag token takes the next argument as its
// value when the flag takes one, and everything after "--" is
// positional.
func positionals(app *cli.App, args []string) []string {
	flags, subs := app.Flags, app.Commands
	var pos []string
	atCommand := true
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(pos, args[i+1:]...)
		case isFlagToken(a):
			i += flagArity(flags, a)
		case atCommand && findCommand(subs, a) != nil:
			c := findCommand(subs, a)
			flags, subs = c.Flags, c.Subcommands
			atCommand = len(subs) > 0
		default:
			atCommand = false
			pos = append(pos, a)
		}
	}
	return pos
}
