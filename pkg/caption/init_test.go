package caption

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestInitFrom: --init copies every weight of a model of the same
// configuration (the penalty weight, dropout and length may differ) and
// refuses one of another architecture.
func TestInitFrom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "src.safetensors")
	src := tinyModel(t, AttnSoft, 1)
	if err := src.Save(path); err != nil {
		t.Fatal(err)
	}
	v := tinyVocab()
	cfg := tinyConfig(AttnSoft, v.Len())
	cfg.Lambda, cfg.Dropout, cfg.MaxLen = 1, 0.5, 9
	dst, err := New(cfg, v, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := initFrom(dst, path); err != nil {
		t.Fatal(err)
	}
	sp, dp := src.Params(), dst.Params()
	if len(sp) != len(dp) {
		t.Fatalf("%d params, want %d", len(dp), len(sp))
	}
	for i := range sp {
		if !slices.Equal(sp[i].Value.Data, dp[i].Value.Data) {
			t.Errorf("%s not copied", dp[i].Name)
		}
	}
	if dst.Cfg.Lambda != 1 || dst.Cfg.MaxLen != 9 {
		t.Errorf("the run's own knobs were overwritten: %+v", dst.Cfg)
	}

	cfg.Hidden++
	other, err := New(cfg, v, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := initFrom(other, path); err == nil {
		t.Error("a model with another hidden size was accepted")
	}
}
