package viz

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"sync"
	"sync/atomic"
)

// DefaultDelay is the frame delay, in hundredths of a second, used when
// GIFOptions.Delay is 0: half a second, slow enough to follow a glimpse
// sequence step by step.
const DefaultDelay = 50

// GIFOptions controls BuildGIF. The zero value gives half-second frames,
// the Plan 9 palette and Floyd-Steinberg dithering.
type GIFOptions struct {
	// Delay is every frame's delay in hundredths of a second; 0 means
	// DefaultDelay.
	Delay int
	// Delays, when not nil, gives each frame its own delay (for example a
	// longer pause on the last frame) and must have one entry per frame.
	Delays []int
	// Palette to quantise to. nil means, for each frame, its own colours
	// when it has at most 256 (every pixel kept exactly, in a local colour
	// table), else palette.Plan9 (256 colours that cover the RGB cube
	// evenly, so heatmap hues survive); and each frame after the first
	// holds only what changed since the frame before (see deltaFrame).
	Palette color.Palette
	// NoDither maps each pixel to its nearest palette colour instead of
	// diffusing the error with Floyd-Steinberg; smaller files, banding.
	NoDither bool
	// Threads is how many frames are quantised at once; 0 means 1. Every
	// count gives the same GIF: each frame is dithered on its own.
	Threads int
}

// BuildGIF quantises frames into an animated GIF that loops forever.
// All frames must have the same size. Save it with imageio.SaveGIF.
func BuildGIF(frames []image.Image, opt GIFOptions) (*gif.GIF, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("GIF needs at least one frame")
	}
	if opt.Delays != nil && len(opt.Delays) != len(frames) {
		return nil, fmt.Errorf("GIF has %d frames but %d delays", len(frames), len(opt.Delays))
	}
	for i, f := range frames {
		if f == nil {
			return nil, fmt.Errorf("GIF frame %d is nil", i)
		}
	}
	delay := opt.Delay
	if delay == 0 {
		delay = DefaultDelay
	}
	pal := opt.Palette
	own := pal == nil
	if own {
		pal = palette.Plan9
	}
	if len(pal) == 0 || len(pal) > 256 {
		return nil, fmt.Errorf("GIF palette has %d colours, want 1 to 256", len(pal))
	}
	q := newQuantizer(pal) // the pixels draw.FloydSteinberg (draw.Src) would write, faster
	size := frames[0].Bounds().Size()
	g := &gif.GIF{
		LoopCount: 0, // 0 loops forever; -1 would play once
		Config:    image.Config{ColorModel: pal, Width: size.X, Height: size.Y},
	}
	for i, f := range frames {
		b := f.Bounds()
		if b.Size() != size {
			return nil, fmt.Errorf("GIF frame %d is %dx%d, frame 0 is %dx%d", i, b.Dx(), b.Dy(), size.X, size.Y)
		}
		d := delay
		if opt.Delays != nil {
			d = opt.Delays[i]
		}
		if d < 0 {
			return nil, fmt.Errorf("GIF frame %d has negative delay %d", i, d)
		}
		g.Image = append(g.Image, nil)
		g.Delay = append(g.Delay, d)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
	}
	// Workers take frames in turn; the quantizer's cells are shared.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(opt.Threads, 1), len(frames)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(frames); i = int(next.Add(1) - 1) {
				if own && i > 0 {
					if p, ok := deltaFrame(frames[i-1], frames[i], !opt.NoDither); ok {
						g.Image[i] = p
						continue
					}
				}
				if own {
					if p, ok := exactFrame(frames[i]); ok {
						g.Image[i] = p
						continue
					}
				}
				g.Image[i] = image.NewPaletted(image.Rect(0, 0, size.X, size.Y), pal)
				q.draw(g.Image[i], frames[i], frames[i].Bounds().Min, !opt.NoDither, nil, 0)
			}
		})
	}
	wg.Wait()
	g.Config.ColorModel = g.Image[0].Palette // the global table; frames with other colours carry their own
	return g, nil
}
