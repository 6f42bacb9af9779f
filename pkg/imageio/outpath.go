package imageio

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OutputPath derives the name of an artifact made from inputPath:
//
//	outDir/<stem><suffix><ext>
//
// where stem is the input's base name without its extension. For example
// OutputPath("out", "photos/cat.jpg", "_attn", "png") is "out/cat_attn.png".
// ext may be given with or without the dot; "" keeps the input's
// extension. outDir "" puts the output next to the input. The input "-"
// (stdin) or "" has stem "stdin".
//
// It returns an error rather than a path that names the input file itself
// (same cleaned absolute path, or the same file on disk, as through a
// link or a case-insensitive file system), so no tool can overwrite its
// input.
func OutputPath(outDir, inputPath, suffix, ext string) (string, error) {
	return outputPath(outDir, inputPath, suffix, ext, false)
}

// HashedOutputPath is OutputPath with "-" and the first 8 hex digits of
// SHA-256 of the cleaned, slash-separated input path (as given, not made
// absolute, so names are the same on every machine) appended to the stem:
// "photos/cat.jpg" -> "out/cat-1a2b3c4d_attn.png". Use it when inputs
// with the same base name from different folders share one output folder.
func HashedOutputPath(outDir, inputPath, suffix, ext string) (string, error) {
	return outputPath(outDir, inputPath, suffix, ext, true)
}

func outputPath(outDir, inputPath, suffix, ext string, hashed bool) (string, error) {
	stdin := inputPath == "" || inputPath == "-"
	base := filepath.Base(inputPath)
	inExt := filepath.Ext(base)
	stem := strings.TrimSuffix(base, inExt)
	dir := filepath.Dir(inputPath)
	if stdin {
		stem, inExt, dir = "stdin", "", "."
	}
	if stem == "" { // ".hidden" style names
		stem = base
	}
	switch {
	case ext == "":
		ext = inExt
	case !strings.HasPrefix(ext, "."):
		ext = "." + ext
	}
	if hashed {
		sum := sha256.Sum256([]byte(filepath.ToSlash(filepath.Clean(inputPath))))
		stem += "-" + hex.EncodeToString(sum[:4])
	}
	if outDir != "" {
		dir = outDir
	}
	out := filepath.Join(dir, stem+suffix+ext)
	if !stdin && sameFile(out, inputPath) {
		// The caller's failure line names the input already.
		return "", fmt.Errorf("output %s would overwrite the input itself (choose another suffix, extension or output folder)", out)
	}
	return out, nil
}

// sameFile reports whether a and b name the same file: equal cleaned
// absolute paths, or, when both exist, the same file on disk.
func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
