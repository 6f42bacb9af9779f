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
	f := newFilter(c, h, w, p)
	padded := make([]frame, len(frames))
	for i, img := range frames {
		dist := f.padPlanes(img, c, true)
		vals := dist
		if !wholeLevels(img) {
			vals = f.padPlanes(img, c, false)
		}
		padded[i] = frame{dist, vals}
	}
	out := make([][]float32, len(frames))
	for t := range frames {
		lo, hi := FrameWindow(t, len(frames), k)
		g := *f
		g.frames, g.target = padded[lo:hi], t-lo
		out[t] = make([]float32, c*h*w)
		g.run(out[t], threads)
	}
	return out
}

// DenoiseFramesTensor is DenoiseFrames for [C,H,W] tensors in 0..1 of
// one shape. A zero Sigma is estimated from all frames together, and a
// zero H follows from it (see Resolve); the parameters used are returned.
func DenoiseFramesTensor(frames []*tensor.Tensor, k int, p Params, threads int) ([]*tensor.Tensor, Params, error) {
	if len(frames) == 0 {
		return nil, p, nil
	}
	shape := frames[0].Shape
	if len(shape) != 3 {
		return nil, p, fmt.Errorf("nlmeans: frame 0 has shape %v, want [C,H,W]", shape)
	}
	c, h, w := shape[0], shape[1], shape[2]
	// One buffer holds every frame, so that the estimate below can read
	// them as one picture without a copy.
	n := c * h * w
	all := make([]float32, len(frames)*n)
	px := make([][]float32, len(frames))
	for i, t := range frames {
		if len(t.Shape) != 3 || t.Shape[0] != c || t.Shape[1] != h || t.Shape[2] != w {
			return nil, p, fmt.Errorf("nlmeans: frame %d has shape %v, frame 0 %v", i, t.Shape, shape)
		}
		px[i] = all[i*n : (i+1)*n]
		for j, v := range t.Data {
			px[i][j] = v * 255
		}
	}
	// The frames stacked as c·n planes: the estimate pools them all.
	q := p.Resolve(all, c*len(frames), h, w)
	if err := q.Validate(); err != nil {
		return nil, q, err
	}
	res := DenoiseFrames(px, c, h, w, k, q, threads)
	out := make([]*tensor.Tensor, len(res))
	for i, r := range res {
		out[i] = tensor.New(c, h, w)
		for j, v := range r {
			out[i].Data[j] = v / 255
		}
	}
	return out, q, nil
}
