package nonlocal

import "testing"

func TestDomain(t *testing.T) {
	for _, task := range TaskNames() {
		cfg, err := DefaultConfig(task)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cfg.Domain(); !ok {
			t.Errorf("%s: no reference", task)
		}
		cfg.Side *= 2
		if _, ok := cfg.Domain(); ok {
			t.Errorf("%s at side %d: a reference", task, cfg.Side)
		}
	}
}
