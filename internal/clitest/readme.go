package clitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadmeSection returns the part of the repository's README.md about one
// tool: from its "## tool:" heading to the next "## " heading. root is
// the repository's root seen from the test's folder ("../.." from
// cmd/TOOL).
func ReadmeSection(t testing.TB, root, tool string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n## "+tool+":")
	if i < 0 {
		t.Fatalf("README.md has no section \"## %s:\"", tool)
	}
	s = s[i+1:]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	return s
}
