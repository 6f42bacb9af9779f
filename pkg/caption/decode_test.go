package caption

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/trainrun"
)

// sceneConfig is a small model of the built-in 64×64 scenes.
func sceneConfig(attention string) Config {
	cfg := DefaultConfig(BuiltinVocab().Len())
	cfg.Widths, cfg.Convs = []int{4, 4, 8, 8}, []int{1, 1, 1, 1}
	cfg.Embed, cfg.Hidden, cfg.AttnDim, cfg.Attention = 8, 16, 8, attention
	return cfg
}

func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skipf("no MNIST: %v", err)
	}
}

// Decoding always ends, at the latest after MaxLen words, for every
// beam width, and gives every word an attention map.
func TestDecodeTerminates(t *testing.T) {
	m := tinyModel(t, AttnSoft, 8)
	m.Train(false)
	x := randImages(rand.New(rand.NewPCG(4, 4)), 3, 8)
	for _, k := range []int{1, 2, 3, 5} {
		for _, norm := range []bool{false, true} {
			tp := autograd.NewInference()
			caps := m.Predict(tp, x.Data, 3, DecodeOptions{Beam: k, MaxLen: 4, LengthNorm: norm})
			if len(caps) != 3 {
				t.Fatalf("beam %d: %d captions", k, len(caps))
			}
			for i, c := range caps {
				if len(c.Tokens) > 4 || len(c.Alphas) != len(c.Tokens) || !c.Ended && len(c.Tokens) != 4 {
					t.Errorf("beam %d image %d: %q ended %t, %d maps", k, i, c.Tokens, c.Ended, len(c.Alphas))
				}
				for _, a := range c.Alphas {
					if len(a) != 16 {
						t.Fatalf("map of %d values", len(a))
					}
				}
				for _, id := range c.IDs {
					if id == data.PadID || id == data.StartID || id == data.EndID {
						t.Errorf("special token %d in a caption", id)
					}
				}
			}
		}
	}
}

// An image's caption does not depend on the batch it is decoded in, nor
// on the thread count.
func TestDecodeSameAtAnyThreadCount(t *testing.T) {
	needMNIST(t)
	m, err := New(sceneConfig(AttnSoft), BuiltinVocab(), 2)
	if err != nil {
		t.Fatal(err)
	}
	m.Train(false)
	ds, err := Open(Source{Kind: "builtin"}, "test", DataOptions{Scenes: 12})
	if err != nil {
		t.Fatal(err)
	}
	run := func(threads, batch int) []Caption {
		r, err := m.Evaluate(ds, EvalOptions{Threads: threads, Batch: batch, DecodeOptions: DecodeOptions{Beam: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Scores.N != 12 {
			t.Fatalf("n = %d", r.Scores.N)
		}
		return r.Captions
	}
	a, b := run(1, 5), run(4, 5)
	for i := range a {
		if !slices.Equal(a[i].Tokens, b[i].Tokens) || a[i].LogProb != b[i].LogProb {
			t.Fatalf("image %d: %q (%g) at 1 thread, %q (%g) at 4", i, a[i].Tokens, a[i].LogProb, b[i].Tokens, b[i].LogProb)
		}
	}
}

// A short run through trainrun.Fit writes the best model and the state
// file, lowers the validation NLL, and resumes.
func TestTrainSmoke(t *testing.T) {
	needMNIST(t)
	for _, att := range []string{AttnSoft, AttnHard, AttnNone} {
		t.Run(att, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m.safetensors")
			opt := TrainOptions{Options: trainrun.Options{Epochs: 1, Batch: 8, Out: out, Seed: 1, LR: 3e-3}, Scenes: 32, ValScenes: 8}
			var reps []trainrun.EpochReport
			opt.Report.OnEpoch = func(r trainrun.EpochReport) { reps = append(reps, r) }
			if _, err := Train(sceneConfig(att), Source{Kind: "builtin"}, opt); err != nil {
				t.Fatal(err)
			}
			opt.Epochs, opt.Resume = 2, true
			if _, err := Train(sceneConfig(att), Source{Kind: "builtin"}, opt); err != nil {
				t.Fatal(err)
			}
			if len(reps) != 2 || reps[1].Epoch != 2 || reps[0].Val.Name != "nll" {
				t.Fatalf("reports %+v", reps)
			}
			f, err := ckpt.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := FromFile(f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPretrainedFrozenEncoder(t *testing.T) {
	needMNIST(t)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	cfg := sceneConfig(AttnSoft)
	cfg.Encoder = EncoderFrozen
	opt := TrainOptions{Options: trainrun.Options{Epochs: 1, Batch: 8, Out: out, Seed: 1}, Scenes: 32, ValScenes: 8, PretrainEpochs: 1}
	m, err := Train(cfg, Source{Kind: "builtin"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := Load(EncoderPath(out))
	if err != nil {
		t.Fatal(err)
	}
	// The decoder trained, the encoder did not move from its pretraining.
	for i, p := range enc.encoder.Params() {
		if !slices.Equal(p.Value.Data, m.encoder.Params()[i].Value.Data) {
			t.Fatalf("%s changed after pretraining", p.Name)
		}
	}
}

// A hard-attention run stopped after an epoch and resumed gives the same
// bits as one run straight through: the REINFORCE baseline travels in the
// state file with the weights and the optimizer.
func TestHardResumeSameBits(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	run := func(out string, epochs int, resume bool) {
		t.Helper()
		opt := TrainOptions{Options: trainrun.Options{Epochs: epochs, Batch: 8, Out: out, Seed: 3, Schedule: "none", Resume: resume},
			Scenes: 32, ValScenes: 8}
		if _, err := Train(sceneConfig(AttnHard), Source{Kind: "builtin"}, opt); err != nil {
			t.Fatal(err)
		}
	}
	whole, cut := filepath.Join(dir, "whole.safetensors"), filepath.Join(dir, "cut.safetensors")
	run(whole, 2, false)
	run(cut, 1, false)
	run(cut, 2, true)
	a, err := ckpt.Read(trainrun.StatePath(whole))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ckpt.Read(trainrun.StatePath(cut))
	if err != nil {
		t.Fatal(err)
	}
	if a.Metadata[baselineKey] == "" || a.Metadata[baselineKey] != b.Metadata[baselineKey] {
		t.Errorf("baselines %q and %q", a.Metadata[baselineKey], b.Metadata[baselineKey])
	}
	for _, name := range a.Names() {
		ta, tb := a.Tensors[name], b.Tensors[name]
		if tb == nil || !slices.Equal(ta.Float, tb.Float) || !slices.Equal(ta.Int, tb.Int) {
			t.Fatalf("%s differs between the uninterrupted and the resumed run", name)
		}
	}
}
