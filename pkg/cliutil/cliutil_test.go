package cliutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shard
		ok   bool
	}{{"", Shard{0, 1}, true}, {"0/4", Shard{0, 4}, true}, {"3/4", Shard{3, 4}, true},
		{"4/4", Shard{}, false}, {"-1/4", Shard{}, false}, {"1/0", Shard{}, false}, {"x", Shard{}, false}, {"1/2/3", Shard{}, false}} {
		got, err := ParseShard(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseShard(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestShardsPartition(t *testing.T) {
	var paths []string
	for i := 0; i < 1000; i++ {
		paths = append(paths, fmt.Sprintf("photos/img%04d.jpg", i))
	}
	seen := map[string]int{}
	for k := 0; k < 4; k++ {
		sel := Shard{k, 4}.Select(paths)
		if len(sel) < 200 || len(sel) > 300 {
			t.Errorf("shard %d has %d of 1000 paths", k, len(sel))
		}
		for _, p := range sel {
			seen[p]++
		}
	}
	for _, p := range paths {
		if seen[p] != 1 {
			t.Fatalf("%s is in %d shards", p, seen[p])
		}
	}
}

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b.png", "a.JPG", "notes.txt", "sub/c.webp"} {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte("x"), 0o644)
	}
	got, err := ExpandInputs([]string{dir}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.JPG"), filepath.Join(dir, "b.png")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("flat walk = %v, want %v", got, want)
	}
	got, _ = ExpandInputs([]string{dir}, true, nil)
	if len(got) != 3 {
		t.Fatalf("recursive walk = %v", got)
	}
	// An explicit file is taken whatever its extension.
	got, _ = ExpandInputs([]string{filepath.Join(dir, "notes.txt")}, false, nil)
	if len(got) != 1 {
		t.Fatalf("explicit file dropped: %v", got)
	}
	got, err = ExpandInputs([]string{"-"}, false, strings.NewReader("x.png\n\n# comment\n  y.jpg  \n"))
	if err != nil || strings.Join(got, ",") != "x.png,y.jpg" {
		t.Fatalf("stdin list = %v, %v", got, err)
	}
	if _, err := ExpandInputs([]string{filepath.Join(dir, "missing.png")}, false, nil); ExitCode(err) != ExitUsage {
		t.Fatalf("missing input: %v", err)
	}
}

func TestPrinter(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, false)
	p.Print(Field{"path", "a\tb.png"}, Field{"class", 7}, Field{"p", float32(0.25)})
	if b.String() != "a b.png\t7\t0.25\n" {
		t.Fatalf("TSV = %q", b.String())
	}
	b.Reset()
	p = NewPrinter(&b, true)
	p.Print(Field{"path", "x.png"}, Field{"p", float32(0.1)}, Field{"nan", float32(0) / zero()}, Field{"locs", [][2]float32{{0.5, -1}}})
	if b.String() != `{"path":"x.png","p":0.1,"nan":null,"locs":[[0.5,-1]]}`+"\n" {
		t.Fatalf("JSON = %q", b.String())
	}
}

func zero() float32 { return 0 }

func TestForEach(t *testing.T) {
	var errb bytes.Buffer
	var done []string
	err := ForEach(context.Background(), []string{"a", "b", "c", "d"}, &errb, "tool", nil, func(p string) error {
		switch p {
		case "b":
			return errors.New("b: truncated PNG")
		case "c":
			panic("boom")
		}
		done = append(done, p)
		return nil
	})
	if ExitCode(err) != ExitPartial {
		t.Fatalf("exit code %d for %v", ExitCode(err), err)
	}
	if strings.Join(done, "") != "ad" {
		t.Fatalf("processed %v", done)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 2 || lines[0] != "tool: b: truncated PNG" || !strings.HasPrefix(lines[1], "tool: c: internal error") {
		t.Fatalf("stderr = %q", errb.String())
	}
}

// A signal during an input lets it finish; ForEach then starts no other
// and says how many were done, with the signal's exit code.
func TestForEachInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var errb bytes.Buffer
	var done []string
	err := ForEach(ctx, []string{"a", "b", "c", "d"}, &errb, "tool", nil, func(p string) error {
		done = append(done, p)
		switch p {
		case "a":
			return errors.New("bad")
		case "b":
			cancel(&Interrupted{Signal: syscall.SIGTERM})
		}
		return nil
	})
	var in *Interrupted
	if !errors.As(err, &in) || in.Done != "2 of 4 inputs done (1 failed)" || ExitCode(err) != 143 {
		t.Fatalf("got %v (exit %d)", err, ExitCode(err))
	}
	if strings.Join(done, "") != "ab" || err.Error() != "interrupted: 2 of 4 inputs done (1 failed)" {
		t.Fatalf("processed %v, error %q", done, err)
	}
}

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{{nil, 0}, {Usagef("x"), 2}, {ModelErr(errors.New("m")), 3}, {fmt.Errorf("wrap: %w", ModelErr(errors.New("m"))), 3},
		{&PartialError{1, 2}, 1}, {errors.New("other"), 1},
		{&Interrupted{Signal: syscall.SIGINT}, 130}, {fmt.Errorf("wrap: %w", &Interrupted{Signal: syscall.SIGTERM}), 143}} {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
