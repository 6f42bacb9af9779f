package trainflags

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/attnkit/attn/pkg/cliutil"
	"github.com/attnkit/attn/pkg/trainrun"
	"github.com/urfave/cli/v2"
)

// parse returns the context of a command with flags after parsing args.
func parse(t *testing.T, flags []cli.Flag, args ...string) *cli.Context {
	t.Helper()
	set := flag.NewFlagSet("train", flag.ContinueOnError)
	for _, f := range flags {
		if err := f.Apply(set); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cli.NewContext(cli.NewApp(), set, nil)
}

func TestOptions(t *testing.T) {
	d := trainrun.Options{Epochs: 5, Batch: 8, Optimizer: "sgd", Momentum: 0.9, WeightDecay: 1e-4, Schedule: "step", StepSize: 2, Gamma: 0.5, ClipNorm: 1}
	flags := append(Flags(d, nil, "epochs", "batch", "optimizer", "lr", "momentum", "weight-decay", "schedule", "step-size", "gamma", "warmup", "clip"),
		&cli.Uint64Flag{Name: cliutil.FlagSeed}, &cli.IntFlag{Name: cliutil.FlagThreads, Value: 1})
	for _, c := range []struct {
		name string
		args []string
		want trainrun.Options
	}{
		{"defaults", nil, trainrun.Options{Epochs: 5, Batch: 8, Optimizer: "sgd", Momentum: 0.9, WeightDecay: 1e-4, Schedule: "step", StepSize: 2, Gamma: 0.5, ClipNorm: 1, Threads: 1}},
		{"zero is none", []string{"--weight-decay", "0", "--clip", "0"},
			trainrun.Options{Epochs: 5, Batch: 8, Optimizer: "sgd", Momentum: 0.9, WeightDecay: -1, Schedule: "step", StepSize: 2, Gamma: 0.5, ClipNorm: -1, Threads: 1}},
		{"set", []string{"--epochs", "3", "--lr", "0.2", "--warmup", "1", "--seed", "7", "--threads", "2"},
			trainrun.Options{Epochs: 3, Batch: 8, Optimizer: "sgd", LR: 0.2, Momentum: 0.9, WeightDecay: 1e-4, Schedule: "step", StepSize: 2, Gamma: 0.5, Warmup: 1, ClipNorm: 1, Seed: 7, Threads: 2}},
	} {
		if got := Options(parse(t, flags, c.args...)); got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestFlagError(t *testing.T) {
	plain := errors.New("disk full")
	for _, c := range []struct {
		err  error
		want string
	}{
		{&trainrun.OptionError{Option: "ClipNorm", Err: errors.New("bad")}, "--clip: bad"},
		{&trainrun.OptionError{Option: "Threads", Err: errors.New("bad")}, "--threads: bad"},
		{&trainrun.OptionError{Option: "Init", Err: errors.New("bad")}, "--init: bad"},
		{&trainrun.OptionError{Option: "Other", Err: errors.New("bad")}, "bad"},
		{plain, "disk full"},
	} {
		got := FlagError(c.err, map[string]string{"Init": "init"})
		if got.Error() != c.want || !errors.Is(got, c.err) {
			t.Errorf("FlagError(%v) = %q, want %q wrapping it", c.err, got, c.want)
		}
	}
}

func TestStart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs", "m.safetensors")
	c := parse(t, []cli.Flag{&cli.StringFlag{Name: "out"}, &cli.BoolFlag{Name: "resume"}, &cli.BoolFlag{Name: cliutil.FlagJSON}},
		"--out", out, "--resume", "--json")
	var o trainrun.Options
	var r trainrun.Report
	if err := Start(c, &o, &r); err != nil {
		t.Fatal(err)
	}
	if o.Out != out || !o.Resume || !r.JSON || r.Lines != c.App.Writer {
		t.Errorf("options %+v, report %+v", o, r)
	}
	if _, err := os.Stat(filepath.Dir(out)); err != nil {
		t.Errorf("folder of -o: %v", err)
	}
}
