package imgtx

import (
	"errors"
	"fmt"
	"testing"

	"github.com/attnkit/attn/models"
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
