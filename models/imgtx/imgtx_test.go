package imgtx

import (
	"errors"
	"fmt"
	"testing"

	"github.com/attnkit/attn/models"
	pkgimgtx "github.com/attnkit/attn/pkg/imgtx"
)

// The four embedded models load and are what their names say; a missing
// one says so with ErrNoModel.
func TestEmbedded(t *testing.T) {
	want := map[string]string{"transformer": "transformer none 0", "pixelcnn": "pixelcnn none 0",
		"class": "transformer class 0", "upscale": "transformer lowres 7"}
	if got := Names(); len(got) != len(want) {
		t.Errorf("embedded models %v, want the %d of %v", got, len(want), want)
	}
	for _, n := range Names() {
		m, err := Load(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if got := fmt.Sprintf("%s %s %d", m.Cfg.Arch, m.Cfg.Cond, m.Cfg.LowRes); got != want[n] {
			t.Errorf("%s: %s, want %s", n, got, want[n])
		}
	}
	if _, err := Load("no-such-model"); !errors.Is(err, models.ErrNoModel) {
		t.Fatalf("missing model: %v", err)
	}
}

// BenchmarkAttend times imgtx attend's model work on one digit: the
// teacher-forced pass that reads off the attention maps of the default
// four queries (the last one fixes the prefix at 610 sub-pixels).
func BenchmarkAttend(b *testing.B) {
	m, err := Load("transformer")
	if err != nil {
		b.Skip(err)
	}
	pix := make([]uint8, 28*28)
	for i := range pix {
		pix[i] = uint8(i * 7)
	}
	queries := []int{14*28 + 14, 7*28 + 14, 21*28 + 7, 21*28 + 21}
	for b.Loop() {
		if _, err := m.Attention(pkgimgtx.Batch{N: 1, Pixels: pix}, queries); err != nil {
			b.Fatal(err)
		}
	}
}
