package ram

import (
	"errors"
	"slices"
	"testing"

	"github.com/attnkit/attn/models"
)

func TestEmbedded(t *testing.T) {
	want := []string{"cluttered100", "cluttered60", "mnist", "translated"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, task := range want {
		m, err := Load(task)
		if err != nil {
			t.Fatalf("Load(%q): %v", task, err)
		}
		if m.Cfg.Task != task {
			t.Errorf("Load(%q) has task %q", task, m.Cfg.Task)
		}
	}
}

func TestMissing(t *testing.T) {
	for _, name := range []string{"", "nosuchtask", "README", "../ram/mnist", "ram.go"} {
		if _, ok := Bytes(name); ok {
			t.Errorf("Bytes(%q) found a model", name)
		}
		if _, err := Load(name); !errors.Is(err, models.ErrNoModel) {
			t.Errorf("Load(%q) = %v, want an error wrapping ErrNoModel", name, err)
		}
	}
}
