package imageio

import (
	"bytes"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EstimateFile returns what Open(path, opt) would weigh against
// opt.MaxMemory (EstimateMemory from the file's header), without
// decoding: a batch that runs several inputs at once uses it to keep
// their sum within the budget. A file that is not a regular file (a pipe,
// a FIFO) counts 0: reading its header here would consume what Open must
// read.
func EstimateFile(path string, opt Options) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() {
		return 0, nil
	}
	return headerEstimate(path, opt)
}

// EstimateClip is EstimateFile for ReadFrames(path, opt): a folder's
// frames summed, an animated GIF as ReadFrames weighs it once its frames
// are counted, any other file as EstimateFile.
func EstimateClip(path string, opt Options) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	switch {
	case st.IsDir():
		names, err := frameNames(path)
		if err != nil {
			return 0, err
		}
		return folderEstimate(path, names, opt), nil
	case !st.Mode().IsRegular():
		return 0, nil
	case strings.ToLower(filepath.Ext(path)) != ".gif":
		return headerEstimate(path, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, opt.maxBytes()+1))
	if err != nil {
		return 0, err
	}
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	return gifEstimate(len(data), gifFrameCount(data), cfg.Width, cfg.Height, opt), nil
}

// frameNames lists the image files directly in folder dir, sorted: the
// frames of a clip folder.
func frameNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && IsImageFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// folderEstimate sums the header estimates of a folder's frames. A frame
// whose header cannot be read counts nothing here; Open reports it.
func folderEstimate(dir string, names []string, opt Options) int64 {
	var need int64
	for _, n := range names {
		e, _ := headerEstimate(filepath.Join(dir, n), opt)
		need = min(need+e, 1<<62)
	}
	return need
}

// gifEstimate is what a GIF of encoded bytes and frames frames of a
// w×h screen needs once decoded: each frame becomes a full RGBA copy of
// the screen, beside its paletted original, and the caller's work
// applies to each.
func gifEstimate(encoded, frames, w, h int, opt Options) int64 {
	px := int64(w) * int64(h) // at most 65535², a GIF's limit
	return int64(encoded) + int64(frames)*px*(1+RGBABytes+max(opt.WorkBytesPerPixel, 0))
}
