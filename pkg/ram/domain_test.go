package ram

import "testing"

func TestDomain(t *testing.T) {
	for _, task := range []string{"mnist", "translated", "cluttered60", "cluttered100"} {
		cfg, err := TaskConfig(task)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cfg.Domain(); !ok {
			t.Errorf("%s: no reference", task)
		}
		cfg.Canvas += 4
		if _, ok := cfg.Domain(); ok {
			t.Errorf("%s at canvas %d: a reference", task, cfg.Canvas)
		}
	}
}
