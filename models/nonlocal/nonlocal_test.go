package nonlocal

import (
	"errors"
	"slices"
	"testing"

	"github.com/attnkit/attn/models"
)

// Every embedded model loads; a missing one wraps models.ErrNoModel.
func TestLoad(t *testing.T) {
	for _, name := range Names() {
		if !slices.Contains([]string{"c2d", "nl", "cnn", "nl2d"}, name) {
			t.Errorf("unexpected embedded model %q", name)
		}
		if _, err := Load(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Load("nothing"); !errors.Is(err, models.ErrNoModel) {
		t.Errorf("missing model: %v", err)
	}
}
