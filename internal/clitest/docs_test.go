package clitest

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The Go version go.mod requires is the one the README promises: "Go
// 1.26 or newer" means any 1.26 release builds the module, so go.mod
// must say 1.26.0 (a later patch release in go.mod makes the go command
// of an earlier one fetch a newer toolchain, which fails offline).
func TestGoVersionAgrees(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	r := regexp.MustCompile(`\[Go\]\([^)]*\) (\d+\.\d+) or newer`).FindSubmatch(readme)
	if r == nil {
		t.Fatal(`README.md does not say "Go X.Y or newer"`)
	}
	if string(m[1]) != string(r[1]) || (len(m[2]) > 0 && string(m[2]) != ".0") {
		t.Errorf("go.mod says go %s%s, README.md says Go %s or newer", m[1], m[2], r[1])
	}
}

func TestReadmeSection(t *testing.T) {
	s := ReadmeSection(t, "../..", "glimpse")
	if !strings.HasPrefix(s, "## glimpse:") || strings.Contains(s, "\n## ") {
		t.Fatalf("section %q", s[:min(len(s), 80)])
	}
}
