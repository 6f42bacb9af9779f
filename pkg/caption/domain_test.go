package caption

import "testing"

func TestDomain(t *testing.T) {
	cfg := DefaultConfig(40)
	cfg.Data = "builtin"
	if _, ok := cfg.Domain(); !ok {
		t.Fatal("builtin: no reference")
	}
	cfg.Data = "karpathy"
	if _, ok := cfg.Domain(); ok {
		t.Fatal("karpathy: a reference")
	}
}
