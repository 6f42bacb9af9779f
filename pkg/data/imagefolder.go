package data

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/attnkit/attn/pkg/imageio"
)

// ImageFolder indexes a classification dataset laid out as one folder per
// class, like torchvision's ImageFolder: root/cat/x.png → class "cat".
// Classes are the sub-folders of root sorted by name (so class i is the i-th
// name in byte order, matching torchvision's indices); each class's images
// are found recursively, directory by directory in sorted path order and
// sorted by name within a directory. A class folder may be a symbolic
// link; links below it are listed like files, never entered. Files at the
// top level and files without an image extension are ignored. Decoding is
// left to the caller (see LoadImageItem), so this type only lists and
// indexes.
type ImageFolder struct {
	Root    string
	Classes []string // class names; the index is the label
	Paths   []string // image files, grouped by class
	Labels  []int    // class index of each path
}

// ScanImageFolder lists the images under root. A class folder without any
// image is an error (torchvision refuses it too), as is a root without
// class folders.
func ScanImageFolder(root string) (*ImageFolder, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("image folder: %w", err)
	}
	f := &ImageFolder{Root: root}
	for _, e := range entries {
		// os.Stat follows a symlinked class folder.
		if st, err := os.Stat(filepath.Join(root, e.Name())); err == nil && st.IsDir() {
			f.Classes = append(f.Classes, e.Name())
		}
	}
	slices.Sort(f.Classes)
	if len(f.Classes) == 0 {
		return nil, fmt.Errorf("image folder %s: no class sub-folders (want root/<class>/<image>)", root)
	}
	for label, class := range f.Classes {
		paths, err := listImages(filepath.Join(root, class))
		if err != nil {
			return nil, fmt.Errorf("image folder %s: %w", root, err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("image folder %s: class folder %q holds no image file (%s)", root, class, strings.Join(imageio.Extensions, " "))
		}
		f.Paths = append(f.Paths, paths...)
		for range paths {
			f.Labels = append(f.Labels, label)
		}
	}
	return f, nil
}

// listImages returns the image files under dir, directories in sorted path
// order and files sorted within each, which is the order torchvision's
// sorted(os.walk(dir)) gives (WalkDir's order would interleave a folder's
// files with its sub-folders).
func listImages(dir string) ([]string, error) {
	byDir := map[string][]string{}
	var dirs []string
	// The trailing separator makes WalkDir enter a class folder that is a
	// symbolic link, which ScanImageFolder accepts as a class; links
	// further down are listed like files, never entered, so a link loop
	// cannot make the walk endless.
	err := filepath.WalkDir(dir+string(filepath.Separator), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, filepath.Clean(path))
			return nil
		}
		if imageio.IsImageFile(d.Name()) {
			byDir[filepath.Dir(path)] = append(byDir[filepath.Dir(path)], path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(dirs)
	var paths []string
	for _, d := range dirs {
		files := byDir[d]
		slices.Sort(files)
		paths = append(paths, files...)
	}
	return paths, nil
}

// Len returns the number of images.
func (f *ImageFolder) Len() int { return len(f.Paths) }

// ClassIndex returns the label of a class name.
func (f *ImageFolder) ClassIndex(name string) (int, bool) {
	i, ok := slices.BinarySearch(f.Classes, name)
	return i, ok
}

// LoadImageItem decodes image i of f with decode (for example a pkg/imageio
// function) and returns it with its label; the error names the file.
func LoadImageItem[T any](f *ImageFolder, i int, decode func(path string) (T, error)) (T, int, error) {
	var zero T
	if i < 0 || i >= len(f.Paths) {
		return zero, 0, fmt.Errorf("image folder %s: item %d of %d", f.Root, i, len(f.Paths))
	}
	img, err := decode(f.Paths[i])
	if err != nil {
		// pkg/imageio's errors start with the file's name already.
		if strings.HasPrefix(err.Error(), f.Paths[i]+": ") {
			return zero, 0, fmt.Errorf("image folder: %w", err)
		}
		return zero, 0, fmt.Errorf("image folder: %s: %w", f.Paths[i], err)
	}
	return img, f.Labels[i], nil
}
