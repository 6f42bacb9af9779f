package lpa

import (
	"errors"
	"slices"
	"testing"

	"github.com/attnkit/attn/models"
)

func TestEmbedded(t *testing.T) {
	want := []string{"att", "baseline"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		if _, err := Load(name); err != nil {
			t.Fatalf("Load(%q): %v", name, err)
		}
	}
}

func TestMissing(t *testing.T) {
	for _, name := range []string{"", "nosuch", "README", "../lpa/att", "lpa.go"} {
		if _, ok := Bytes(name); ok {
			t.Errorf("Bytes(%q) found a model", name)
		}
		if _, err := Load(name); !errors.Is(err, models.ErrNoModel) {
			t.Errorf("Load(%q) = %v, want an error wrapping ErrNoModel", name, err)
		}
	}
}
