package caption

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/data"
)

// AttentionTally sums attention correctness over words that name an
// object. Tallies add up with Add; Mean gives the micro-average over all
// words added.
//
// Attention correctness is the share of a word's attention map that falls
// inside the box of the object the word names (after Liu, Mao, Sha and
// Yuille, "Attention Correctness in Neural Image Captioning", AAAI 2017,
// who measure Show, Attend and Tell's soft attention this way). The uniform
// counterpart is what a map spreading its mass evenly would score: the
// box's share of the image area. A model attends usefully where the first
// clearly exceeds the second.
type AttentionTally struct {
	Mass        float64 // Σ over words of the attention inside the box
	UniformMass float64 // Σ over words of the box's area share
	Words       int
}

// Add accumulates another tally.
func (t *AttentionTally) Add(u AttentionTally) {
	t.Mass += u.Mass
	t.UniformMass += u.UniformMass
	t.Words += u.Words
}

// Mean returns the mean attention correctness and its uniform counterpart,
// NaN when no word was counted.
func (t AttentionTally) Mean() (correctness, uniform float64) {
	if t.Words == 0 {
		return math.NaN(), math.NaN()
	}
	n := float64(t.Words)
	return t.Mass / n, t.UniformMass / n
}

// BoxAttention returns the attention mass of one map inside box b. alpha
// is a gridH×gridW map (row-major) over an imgW×imgH image: cell (i, j)
// covers the image rectangle [j·imgW/gridW, (j+1)·imgW/gridW) ×
// [i·imgH/gridH, (i+1)·imgH/gridH) in continuous pixel coordinates, and it
// counts with the fraction of its area the box covers, so a cell half
// inside the box contributes half its weight. This is the same as
// spreading each cell's weight evenly over the pixels it covers and
// summing over the box's pixels. The part of b outside the image is
// ignored.
func BoxAttention(alpha []float32, gridH, gridW, imgW, imgH int, b data.Box) float64 {
	mass := 0.0
	boxCells(gridH, gridW, imgW, imgH, b, func(cell int, frac float64) {
		mass += float64(alpha[cell]) * frac
	})
	return mass
}

// boxCells calls fn with each grid cell box b touches and the fraction of
// that cell's area it covers, the weights BoxAttention counts a map's
// cells with.
func boxCells(gridH, gridW, imgW, imgH int, b data.Box, fn func(cell int, frac float64)) {
	cw, ch := float64(imgW)/float64(gridW), float64(imgH)/float64(gridH)
	x0, x1 := max(0, float64(b.X0)), min(float64(imgW), float64(b.X1))
	y0, y1 := max(0, float64(b.Y0)), min(float64(imgH), float64(b.Y1))
	if x1 <= x0 || y1 <= y0 {
		return
	}
	// Only the cells the box touches.
	for i := int(y0 / ch); i < gridH && float64(i)*ch < y1; i++ {
		oy := min(y1, float64(i+1)*ch) - max(y0, float64(i)*ch)
		if oy <= 0 {
			continue
		}
		for j := int(x0 / cw); j < gridW && float64(j)*cw < x1; j++ {
			ox := min(x1, float64(j+1)*cw) - max(x0, float64(j)*cw)
			if ox <= 0 {
				continue
			}
			fn(i*gridW+j, (ox*oy)/(cw*ch))
		}
	}
}

// BoxShare returns the share of a imgW×imgH image that box b covers, the
// mass a uniform attention map puts inside it.
func BoxShare(b data.Box, imgW, imgH int) float64 {
	w := min(b.X1, imgW) - max(b.X0, 0)
	h := min(b.Y1, imgH) - max(b.Y0, 0)
	if w <= 0 || h <= 0 {
		return 0
	}
	return float64(w) * float64(h) / (float64(imgW) * float64(imgH))
}

// AttentionCorrectness scores the attention maps of one generated caption
// of a scene. alphas[t] is the gridH×gridW map (row-major) the model
// attended with when it emitted toks[t]; objs are the scene's objects and
// imgW×imgH its size in pixels.
//
// The words that name an object are those ParseSceneCaption assigns to a
// mention (its digit, colour and size words) whose mention SceneContent's
// matching pairs with an object of the scene; that object's Box is the
// word's box. Words of mentions that fit no object, and all other words,
// are not counted. When two objects fit a mention equally (two bare "3"s
// for two 3s of different colours) the matching may pair a mention with
// either; the reference captions of data.GenerateScene rarely leave such a
// tie, since colours within a scene differ.
func AttentionCorrectness(alphas [][]float32, gridH, gridW, imgW, imgH int, toks []string, objs []data.Object) (AttentionTally, error) {
	var t AttentionTally
	if len(alphas) != len(toks) {
		return t, fmt.Errorf("attention correctness: %d attention maps for %d words", len(alphas), len(toks))
	}
	if gridH < 1 || gridW < 1 || imgW < 1 || imgH < 1 {
		return t, fmt.Errorf("attention correctness: %d×%d grid over a %d×%d image", gridH, gridW, imgW, imgH)
	}
	p := ParseSceneCaption(toks)
	match := MatchMentions(p.Mentions, objs)
	for m, mention := range p.Mentions {
		if match[m] < 0 {
			continue
		}
		box := objs[match[m]].Box
		for _, ti := range mention.Tokens {
			if len(alphas[ti]) != gridH*gridW {
				return t, fmt.Errorf("attention correctness: word %d (%q): map of %d values, want %d×%d", ti, toks[ti], len(alphas[ti]), gridH, gridW)
			}
			t.Mass += BoxAttention(alphas[ti], gridH, gridW, imgW, imgH, box)
			t.UniformMass += BoxShare(box, imgW, imgH)
			t.Words++
		}
	}
	return t, nil
}
