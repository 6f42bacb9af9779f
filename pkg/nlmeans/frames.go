package nlmeans

import (
	"fmt"

	"github.com/attnkit/attn/pkg/tensor"
)

// FrameWindow returns the frames [lo, hi) that denoise frame t of a
// sequence of n frames with a temporal window of k frames: k frames
// centred on t, shifted inwards at the ends of the sequence so that every
// frame gets k of them (fewer only when the sequence is shorter than k).
func FrameWindow(t, n, k int) (lo, hi int) {
	k = max(1, min(k, n))
	lo = min(max(t-k/2, 0), n-k)
	return lo, lo + k
}

// DenoiseFrames denoises a sequence of pictures of one scene (the frames
// of a clip, or a burst), each [C][H][W] in 0..255, as OpenCV's
// fastNlMeansDenoisingMulti does: frame t is filtered as in Denoise, but
// its search window extends over the k frames of FrameWindow(t, n, k), so
// a pixel is averaged with similar patches in the neighbouring frames too.
// With k = 1 every frame gets Denoise's result. The result does not depend
// on the thread count.
func DenoiseFrames(frames [][]float32, c, h, w, k int, p Params, threads int) [][]float32 {
	src := make([]rowSource, len(frames))
	out := make([][]float32, len(frames))
	sinks := make([]rowSink, len(frames))
	for i, img := range frames {
		src[i] = planeSource(img, c, h, w, 1)
		out[i] = make([]float32, c*h*w)
		sinks[i] = planeSink(out[i], h, w, 1)
	}
	denoiseSources(src, sinks, c, h, w, k, p, threads)
	return out
}

// denoiseSources filters every frame of a sequence read through src into
// its sink, each with the frames of FrameWindow(t, n, k).
func denoiseSources(src []rowSource, sinks []rowSink, c, h, w, k int, p Params, threads int) {
	frames := make([]*frame, len(src))
	for i, s := range src {
		frames[i] = &frame{src: s}
	}
	for t := range frames {
		lo, hi := FrameWindow(t, len(frames), k)
		f := newFilter(c, h, w, p)
		f.frames, f.target = frames[lo:hi], t-lo
		f.run(sinks[t], threads)
	}
}

// DenoiseFramesTensor is DenoiseFrames for [C,H,W] tensors in 0..1 of
// one shape. A zero Sigma is estimated from all frames together, and a
// zero H follows from it (see Resolve); the parameters used are returned.
// The frames are read as they are, with no 0..255 copy.
func DenoiseFramesTensor(frames []*tensor.Tensor, k int, p Params, threads int) ([]*tensor.Tensor, Params, error) {
	if len(frames) == 0 {
		return nil, p, nil
	}
	shape := frames[0].Shape
	if len(shape) != 3 {
		return nil, p, fmt.Errorf("nlmeans: frame 0 has shape %v, want [C,H,W]", shape)
	}
	c, h, w := shape[0], shape[1], shape[2]
	src := make([]rowSource, len(frames))
	for i, t := range frames {
		if len(t.Shape) != 3 || t.Shape[0] != c || t.Shape[1] != h || t.Shape[2] != w {
			return nil, p, fmt.Errorf("nlmeans: frame %d has shape %v, frame 0 %v", i, t.Shape, shape)
		}
		// v·255 in float32, the 8-bit levels the filter works in.
		src[i] = planeSource(t.Data, c, h, w, 255)
	}
	q := p.resolveSources(src, c, h, w)
	if err := q.Validate(); err != nil {
		return nil, q, err
	}
	out := make([]*tensor.Tensor, len(frames))
	sinks := make([]rowSink, len(frames))
	for i := range out {
		out[i] = tensor.New(c, h, w)
		sinks[i] = planeSink(out[i].Data, h, w, 255)
	}
	denoiseSources(src, sinks, c, h, w, k, q, threads)
	return out, q, nil
}
