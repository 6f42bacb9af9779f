//go:build noasm

package clitest

func init() { buildTags = append(buildTags, "noasm") }
