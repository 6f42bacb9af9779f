package caption

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/trainrun"
)

// npyMember returns the header and the data bytes of member name of an
// .npz archive held in memory.
func npyMember(t *testing.T, zr *zip.Reader, name string) (header string, body []byte) {
	t.Helper()
	f, err := zr.Open(name + ".npy")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := int(binary.LittleEndian.Uint16(b[8:10]))
	return strings.TrimSpace(string(b[10 : 10+n])), b[10+n:]
}

func int64s(b []byte) []int64 {
	out := make([]int64, len(b)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// An export holds what the loop sees: the training scenes of an epoch as
// trainer.BeginEpoch selects them from the run's seed, the validation
// scenes, the test scenes; and every reference as the ids the loss takes.
func TestExportScenesMatchesTraining(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip(err)
	}
	const seed, epoch, scenes = 7, 3, 4
	opt := TrainOptions{Options: trainrun.Options{Seed: seed}, Scenes: scenes, ValScenes: scenes}
	train, val, vocab, err := Splits(Source{Kind: "builtin"}, 64, opt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(DefaultConfig(vocab.Len()), vocab, seed)
	if err != nil {
		t.Fatal(err)
	}
	opt.defaults()
	if _, err := newTrainer(m, train, val, opt).BeginEpoch(epoch); err != nil {
		t.Fatal(err)
	}
	test, err := Open(Source{Kind: "builtin"}, "test", DataOptions{Scenes: scenes})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		split    string
		want     Dataset
		wantSeed uint64
	}{{"train", train, seed}, {"val", val, ValSeed}, {"test", test, TestSeed}} {
		ex, err := ExportScenes(c.split, DataOptions{Scenes: scenes, Seed: seed}, epoch)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := ex.WriteNPZ(&buf, nil); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		_, images := npyMember(t, zr, "images")
		capHdr, capBytes := npyMember(t, zr, "captions")
		_, lenBytes := npyMember(t, zr, "lengths")
		_, ownBytes := npyMember(t, zr, "caption_image")
		caps, lengths, owner := int64s(capBytes), int64s(lenBytes), int64s(ownBytes)
		M := len(lengths)
		if M == 0 || len(caps)%M != 0 || len(owner) != M || !strings.Contains(capHdr, "'<i8'") {
			t.Fatalf("%s: %d captions, %d ids, header %s", c.split, M, len(caps), capHdr)
		}
		T := len(caps) / M
		k := 0
		for i := range scenes {
			s, err := c.want.Sample(i)
			if err != nil {
				t.Fatal(err)
			}
			pix := images[i*3*64*64*4 : (i+1)*3*64*64*4]
			for j, v := range s.Image {
				if math.Float32frombits(binary.LittleEndian.Uint32(pix[4*j:])) != v {
					t.Fatalf("%s scene %d: pixel %d differs from the loop's", c.split, i, j)
				}
			}
			for _, r := range s.Refs {
				ids := vocab.Encode(r)
				got := caps[k*T : (k+1)*T]
				if owner[k] != int64(i) || lengths[k] != int64(len(ids)) {
					t.Fatalf("%s caption %d: image %d length %d, want %d %d", c.split, k, owner[k], lengths[k], i, len(ids))
				}
				for t2, id := range got {
					want := int64(data.PadID)
					if t2 < len(ids) {
						want = int64(ids[t2])
					}
					if id != want {
						t.Fatalf("%s caption %d: ids %v, want %v", c.split, k, got, ids)
					}
				}
				k++
			}
		}
		if k != M {
			t.Errorf("%s: %d captions exported, the scenes have %d", c.split, M, k)
		}
		_, mb := npyMember(t, zr, "meta")
		var runes []rune
		for i := 0; i+4 <= len(mb); i += 4 {
			if r := rune(binary.LittleEndian.Uint32(mb[i:])); r != 0 {
				runes = append(runes, r)
			}
		}
		var meta struct {
			Format, Tool, Split string
			Seed                uint64
			Epoch, Side, Scenes int
			Vocab               []string
		}
		if err := json.Unmarshal([]byte(string(runes)), &meta); err != nil {
			t.Fatal(err)
		}
		wantEpoch := 0
		if c.split == "train" {
			wantEpoch = epoch
		}
		if meta.Format != data.DatasetFormat || meta.Tool != "caption" || meta.Split != c.split || meta.Seed != c.wantSeed ||
			meta.Epoch != wantEpoch || meta.Side != 64 || meta.Scenes != scenes || !slices.Equal(meta.Vocab, vocab.Words) {
			t.Errorf("%s: meta %+v", c.split, meta)
		}
	}
	if _, err := ExportScenes("train", DataOptions{Scenes: 2}, 0); err == nil {
		t.Error("epoch 0: no error")
	}
	if _, err := ExportScenes("holdout", DataOptions{Scenes: 2}, 1); err == nil {
		t.Error("split holdout: no error")
	}
}
