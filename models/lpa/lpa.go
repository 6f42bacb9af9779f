// Package lpa embeds the default Learn-to-Pay-Attention models of
// cmd/lpa: att.safetensors, the reference (VGG-att3)-concat-pc, and
// baseline.safetensors, the same VGG with a global-average-pooling head,
// both trained on the built-in textured-digits task. README.md beside this
// file gives the exact training commands. A build made before they were
// trained simply has none: Model reports false and the CLI says how to
// train one.
package lpa

import (
	"embed"
	"io/fs"
)

// The pattern * matches this file and README.md, so it compiles before
// any model exists; trained models are picked up as they are added.
//
//go:embed *
var files embed.FS

// Model returns the embedded model "att" or "baseline" and whether this
// build has it.
func Model(name string) ([]byte, bool) {
	b, err := fs.ReadFile(files, name+".safetensors")
	return b, err == nil
}
