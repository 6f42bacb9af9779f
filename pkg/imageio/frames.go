package imageio

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxFrames caps the frames ReadFrames returns from one clip, so a huge
// animation cannot exhaust memory frame by frame.
const MaxFrames = 10000

// ReadFrames reads a clip: a folder of frames (its image files in name
// order, not descending into subfolders), an animated GIF (every frame,
// composited as a viewer shows it, honouring each frame's disposal), or
// any other image as a clip of one frame. The pixel budget of opt applies
// to each frame, and to the whole clip as MaxFrames times it.
func ReadFrames(path string, opt Options) ([]image.Image, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	if st.IsDir() {
		return readFrameFolder(path, opt)
	}
	if strings.ToLower(filepath.Ext(path)) != ".gif" {
		img, err := Open(path, opt)
		if err != nil {
			return nil, err
		}
		return []image.Image{img}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, opt.maxBytes()+1))
	if err != nil {
		return nil, pathError(path, err)
	}
	if int64(len(data)) > opt.maxBytes() {
		return nil, &limitError{fmt.Sprintf("%s: larger than the limit of %d bytes", path, opt.maxBytes()), ErrTooManyBytes}
	}
	return decodeGIFFrames(data, path, opt)
}

func readFrameFolder(dir string, opt Options) ([]image.Image, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, pathError(dir, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && IsImageFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	switch {
	case len(names) == 0:
		return nil, fmt.Errorf("%s: no image files in the folder (a clip is a folder of frames)", dir)
	case len(names) > MaxFrames:
		return nil, fmt.Errorf("%s: %d frames exceeds the limit of %d", dir, len(names), MaxFrames)
	}
	var frames []image.Image
	for _, n := range names {
		img, err := Open(filepath.Join(dir, n), opt)
		if err != nil {
			return nil, err
		}
		frames = append(frames, img)
	}
	return frames, nil
}

// decodeGIFFrames decodes every frame of a GIF onto the logical screen.
func decodeGIFFrames(data []byte, name string, opt Options) (frames []image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			frames, err = nil, fmt.Errorf("%s: decoder panic: %v", name, p)
		}
	}()
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, describe(name, "gif", err)
	}
	if err := checkSize(name, cfg.Width, cfg.Height, opt.maxPixels()); err != nil {
		return nil, err
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, describe(name, "gif", err)
	}
	if len(g.Image) > MaxFrames {
		return nil, fmt.Errorf("%s: %d frames exceeds the limit of %d", name, len(g.Image), MaxFrames)
	}
	screen := image.Rect(0, 0, cfg.Width, cfg.Height)
	canvas := image.NewRGBA(screen)
	for i, fr := range g.Image {
		var saved *image.RGBA
		disposal := byte(0)
		if i < len(g.Disposal) {
			disposal = g.Disposal[i]
		}
		if disposal == gif.DisposalPrevious {
			saved = image.NewRGBA(screen)
			copy(saved.Pix, canvas.Pix)
		}
		draw.Draw(canvas, fr.Bounds().Intersect(screen), fr, fr.Bounds().Min, draw.Over)
		out := image.NewRGBA(screen)
		copy(out.Pix, canvas.Pix)
		frames = append(frames, out)
		switch disposal {
		case gif.DisposalBackground:
			draw.Draw(canvas, fr.Bounds().Intersect(screen), image.Transparent, image.Point{}, draw.Src)
		case gif.DisposalPrevious:
			canvas = saved
		}
	}
	return frames, nil
}
