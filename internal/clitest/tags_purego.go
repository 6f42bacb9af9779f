//go:build purego

package clitest

// The binaries under test are built with the same kernel selection as the
// test itself, so `go test -tags purego ./cmd/...` tests pure-Go binaries.
func init() { buildTags = append(buildTags, "purego") }
