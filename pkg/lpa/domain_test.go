package lpa

import "testing"

func TestDomain(t *testing.T) {
	cfg := DefaultConfig("builtin", 64, 10)
	if r, ok := cfg.Domain(); !ok || r.Channels != 3 {
		t.Fatalf("builtin: %+v %v", r, ok)
	}
	cfg.Task = "largest"
	if _, ok := cfg.Domain(); !ok {
		t.Fatal("builtin:largest: no reference")
	}
	if _, ok := DefaultConfig("cifar10", 32, 10).Domain(); ok {
		t.Fatal("cifar10: a reference")
	}
}
