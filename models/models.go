// Package models embeds the toolkit's default trained weights, so every
// tool works offline with no download. Each file records in its metadata
// the configuration it was trained with; models/README.md gives the exact
// training command and the measured test figures of each.
package models

import (
	"embed"
	"io/fs"
)

//go:embed ram
var files embed.FS

// RAM returns the embedded glimpse model for a task (mnist, translated,
// cluttered60, cluttered100) and whether there is one.
func RAM(task string) ([]byte, bool) {
	b, err := fs.ReadFile(files, "ram/"+task+".safetensors")
	return b, err == nil
}
