package imgtx

import (
	"errors"
	"testing"

	"github.com/attnkit/attn/models"
)

// Every embedded model loads; a missing one says so with ErrNoModel.
func TestEmbedded(t *testing.T) {
	for _, n := range Names() {
		if _, err := Load(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := Load("no-such-model"); !errors.Is(err, models.ErrNoModel) {
		t.Fatalf("missing model: %v", err)
	}
}
