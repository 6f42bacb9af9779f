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
	"strings"
)

// MaxFrames caps the frames ReadFrames returns from one clip, so a huge
// animation cannot exhaust memory frame by frame.
const MaxFrames = 10000

// ReadFrames reads a clip: a folder of frames (its image files in name
// order, not descending into subfolders), an animated GIF (every frame,
// composited as a viewer shows it, honouring each frame's disposal), or
// any other image as a clip of one frame. The pixel budget of opt applies
// to each frame, and to the whole clip as MaxFrames times it; a GIF is
// also held to it as a whole, its frame count times its screen size,
// before any frame is decoded (every frame is composited onto the full
// screen, so a small file of many tiny frames would otherwise stand for
// gigabytes of pixels). The memory budget applies to the whole clip,
// since every frame is kept: a folder's headers are all read and summed
// before any frame is decoded, a GIF's frames are counted before their
// full-size copies are made.
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
	names, err := frameNames(dir)
	if err != nil {
		return nil, pathError(dir, err)
	}
	switch {
	case len(names) == 0:
		return nil, fmt.Errorf("%s: no image files in the folder (a clip is a folder of frames)", dir)
	case len(names) > MaxFrames:
		return nil, fmt.Errorf("%s: %d frames exceeds the limit of %d", dir, len(names), MaxFrames)
	}
	if opt.MaxMemory > 0 {
		need := folderEstimate(dir, names, opt)
		if err := memoryError(fmt.Sprintf("%s (%d frames)", dir, len(names)), need, opt.MaxMemory); err != nil {
			return nil, err
		}
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
	if err := checkClip(name, gifFrameCount(data), cfg.Width, cfg.Height, opt.maxPixels()); err != nil {
		return nil, err
	}
	if err := checkMemory(name, data, cfg, "gif", opt); err != nil {
		return nil, err
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, describe(name, "gif", err)
	}
	// The count above is a scan of the block structure; check what the
	// decoder actually found too, before compositing a single frame.
	if err := checkClip(name, len(g.Image), cfg.Width, cfg.Height, opt.maxPixels()); err != nil {
		return nil, err
	}
	if opt.MaxMemory > 0 {
		need := gifEstimate(len(data), len(g.Image), cfg.Width, cfg.Height, opt)
		if err := memoryError(fmt.Sprintf("%s (%d frames)", name, len(g.Image)), need, opt.MaxMemory); err != nil {
			return nil, err
		}
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

// headerEstimate is EstimateMemory for the image file at path from its
// header alone, without decoding it.
func headerEstimate(path string, opt Options) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	// The metadata EXIF orientation and the JPEG frame type are read
	// from sits before the first scan, within the first segments.
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	cfg, format, err := image.DecodeConfig(io.MultiReader(bytes.NewReader(head), f))
	if err != nil {
		return 0, err
	}
	orient, progressive := 1, false
	if format == "jpeg" {
		if !opt.IgnoreOrientation {
			orient = ExifOrientation(head)
		}
		progressive = progressiveJPEG(head)
	}
	return EstimateMemory(cfg, format, int(st.Size()), orient, progressive, opt.WorkBytesPerPixel), nil
}

// checkClip enforces MaxFrames and the pixel budget on a clip of n
// frames of w×h pixels.
func checkClip(name string, n, w, h int, max int64) error {
	if n > MaxFrames {
		return fmt.Errorf("%s: %d frames exceeds the limit of %d", name, n, MaxFrames)
	}
	if total := int64(n) * int64(w) * int64(h); total > max {
		return &limitError{fmt.Sprintf("%s: %d frames of %dx%d pixels (%d in all) exceed the limit of %d pixels", name, n, w, h, total, max), ErrTooManyPixels}
	}
	return nil
}

// gifFrameCount counts the image descriptors of a GIF by walking its
// block structure (GIF89a specification, sections 17 to 27) without
// decoding anything. It stops at the trailer, at an unknown block or
// where the data ends, returning the images seen so far.
func gifFrameCount(data []byte) int {
	const header = 6 + 7 // signature and version, logical screen descriptor
	if len(data) < header {
		return 0
	}
	i := header
	if flags := data[10]; flags&0x80 != 0 {
		i += 3 << (flags&7 + 1) // global colour table
	}
	// skipSubBlocks steps over a chain of length-prefixed sub-blocks
	// ending with an empty one.
	skipSubBlocks := func() bool {
		for i < len(data) {
			n := int(data[i])
			i += 1 + n
			if n == 0 {
				return true
			}
		}
		return false
	}
	n := 0
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks
			i += 2
			if !skipSubBlocks() {
				return n
			}
		case 0x2C: // image descriptor: position, size, flags
			if i+10 > len(data) {
				return n
			}
			n++
			flags := data[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1) // local colour table
			}
			i++ // LZW minimum code size
			if !skipSubBlocks() {
				return n
			}
		default: // the trailer (0x3B) or something the decoder will refuse
			return n
		}
	}
	return n
}
