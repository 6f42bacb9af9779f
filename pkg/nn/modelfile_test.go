package nn

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attnkit/attn/pkg/ckpt"
)

type fileCfg struct {
	In int `json:"in"`
}

func (c fileCfg) Validate() error {
	if c.In < 1 {
		return errBadIn
	}
	return nil
}

var errBadIn = errors.New("no inputs")

// TestModelFormat round-trips a model file and refuses another format and
// an invalid configuration.
func TestModelFormat(t *testing.T) {
	mf := ModelFormat{Name: "test.lin/1", Kind: "a test model"}
	build := func(c fileCfg) (*Linear, error) {
		return NewLinear(rand.New(rand.NewPCG(0, 0)), "fc", c.In, 2, true), nil
	}
	m := NewLinear(rand.New(rand.NewPCG(5, 5)), "fc", 3, 2, true)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := mf.Save(path, m, fileCfg{In: 3}); err != nil {
		t.Fatal(err)
	}
	f, err := ckpt.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadModel(f, mf, build)
	if err != nil {
		t.Fatal(err)
	}
	if back.Weight.Value.Data[4] != m.Weight.Value.Data[4] {
		t.Fatal("weights not loaded")
	}
	other := ModelFormat{Name: "test.other/1", Kind: "another model"}
	if _, err := ReadModel(f, other, build); err == nil || !strings.Contains(err.Error(), "not another model") {
		t.Fatalf("other format: %v", err)
	}
	f.Metadata["config"] = `{"in":0}`
	if _, err := ReadModel(f, mf, build); err == nil || !strings.Contains(err.Error(), "config") {
		t.Fatalf("invalid config: %v", err)
	}
}

// TestLoadModel reads a model file from a path and from its bytes, and
// passes on a read error.
func TestLoadModel(t *testing.T) {
	mf := ModelFormat{Name: "test.lin/1", Kind: "a test model"}
	fromFile := func(f *ckpt.File) (*Linear, error) {
		return ReadModel(f, mf, func(c fileCfg) (*Linear, error) {
			return NewLinear(rand.New(rand.NewPCG(0, 0)), "fc", c.In, 2, true), nil
		})
	}
	m := NewLinear(rand.New(rand.NewPCG(5, 5)), "fc", 3, 2, true)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := mf.Save(path, m, fileCfg{In: 3}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func() (*Linear, error){
		"path":  func() (*Linear, error) { return LoadModel(path, fromFile) },
		"bytes": func() (*Linear, error) { return LoadModelBytes(raw, "m", fromFile) },
	} {
		back, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if back.Weight.Value.Data[4] != m.Weight.Value.Data[4] {
			t.Fatalf("%s: weights not loaded", name)
		}
	}
	if _, err := LoadModel(filepath.Join(t.TempDir(), "none.safetensors"), fromFile); err == nil {
		t.Fatal("missing file: no error")
	}
	if _, err := LoadModelBytes(raw[:10], "cut", fromFile); err == nil {
		t.Fatal("cut bytes: no error")
	}
}

// dropTensor rewrites a safetensors file without the header entry of one
// tensor, leaving its bytes where they were: a file edited by hand, or
// written by a tool that lost a tensor.
func dropTensor(t *testing.T, path, name string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	if _, ok := hdr[name]; !ok {
		t.Fatalf("%s has no tensor %q", path, name)
	}
	delete(hdr, name)
	b, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	out := append(binary.LittleEndian.AppendUint64(nil, uint64(len(b))), b...)
	if err := os.WriteFile(path, append(out, raw[8+n:]...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadModelMissingTensor: a model file that lacks a tensor the model
// needs says which, by name, on one line naming the file once, whether
// the tensor's bytes went with it or were left behind in the data.
func TestLoadModelMissingTensor(t *testing.T) {
	mf := ModelFormat{Name: "test.lin/1", Kind: "a test model"}
	fromFile := func(f *ckpt.File) (*Linear, error) {
		return ReadModel(f, mf, func(c fileCfg) (*Linear, error) {
			return NewLinear(rand.New(rand.NewPCG(0, 0)), "fc", c.In, 2, true), nil
		})
	}
	for _, name := range []string{"fc.weight", "fc.bias"} {
		path := filepath.Join(t.TempDir(), "model.safetensors")
		if err := mf.Save(path, NewLinear(rand.New(rand.NewPCG(5, 5)), "fc", 3, 2, true), fileCfg{In: 3}); err != nil {
			t.Fatal(err)
		}
		dropTensor(t, path, name)
		_, err := LoadModel(path, fromFile)
		if want := path + `: missing tensor "` + name + `"`; err == nil || err.Error() != want {
			t.Errorf("without %s: got %v, want %q", name, err, want)
		}
	}
	// A module saved without a tensor (another configuration) is reported
	// the same way.
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := mf.Save(path, NewLinear(rand.New(rand.NewPCG(5, 5)), "fc", 3, 2, false), fileCfg{In: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModel(path, fromFile); err == nil || err.Error() != path+`: missing tensor "fc.bias"` {
		t.Errorf("saved without a bias: %v", err)
	}
}
