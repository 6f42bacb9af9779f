package ram

import (
	"errors"
	"slices"
	"testing"

	"github.com/attnkit/attn/models"
	pkgram "github.com/attnkit/attn/pkg/ram"
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

// TestLoadDecodesInPlace checks that Load, which decodes the embedded
// file in place, gives the model that decoding a copy of its bytes gives.
func TestLoadDecodesInPlace(t *testing.T) {
	m, err := Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Bytes("mnist")
	want, err := pkgram.LoadBytes(b, "embedded:mnist")
	if err != nil {
		t.Fatal(err)
	}
	ps, ws := m.Params(), want.Params()
	if len(ps) != len(ws) {
		t.Fatalf("%d parameters, want %d", len(ps), len(ws))
	}
	for i, p := range ps {
		if p.Name != ws[i].Name || !slices.Equal(p.Value.Data, ws[i].Value.Data) {
			t.Errorf("parameter %s differs from %s decoded from a copy", p.Name, ws[i].Name)
		}
	}
}
