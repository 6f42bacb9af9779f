// Package caption embeds the default Show, Attend and Tell models of
// cmd/caption: soft.safetensors (soft attention), hard.safetensors (hard
// attention) and baseline.safetensors (no attention), trained on the
// built-in captioned scenes. README.md beside this file gives the exact
// training commands. A build made before they were trained simply has
// none: Model reports false and the CLI says how to train one.
package caption

import (
	"embed"
	"io/fs"
)

// The pattern * matches this file and README.md, so it compiles before
// any model exists; trained models are picked up as they are added.
//
//go:embed *
var files embed.FS

// Model returns the embedded model "soft", "hard" or "baseline" and
// whether this build has it.
func Model(name string) ([]byte, bool) {
	b, err := fs.ReadFile(files, name+".safetensors")
	return b, err == nil
}
