package imageio

import (
	"path/filepath"
	"slices"
	"strings"
)

// Extensions are the file name endings of the formats Open reads, lower
// case with the dot. Tools that pick images out of a folder list the
// files with one of them.
var Extensions = []string{".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}

// IsImageFile reports whether a file name ends in one of Extensions,
// ignoring case.
func IsImageFile(name string) bool {
	return slices.Contains(Extensions, strings.ToLower(filepath.Ext(name)))
}
