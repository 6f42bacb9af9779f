// Package nlmeans is the non-local means denoiser of Buades, Coll and
// Morel (CVPR 2005), the classic filter that non-local blocks (Wang et
// al. 2018) generalise into a network layer: every pixel becomes a
// weighted mean of the pixels whose neighbourhoods look like its own,
// wherever they are in a search window. The package also estimates the
// noise level of an image and measures PSNR.
//
// Intensities are in 8-bit units (0..255), the scale users and the
// literature quote noise levels in; DenoiseTensor takes the 0..1 tensors
// of pkg/imageio and converts.
package nlmeans

import (
	"fmt"
	"math"
	"slices"

	"github.com/attnkit/attn/pkg/tensor"
)

// MinH is the smallest default h, so that an image whose estimated noise
// is zero still gets a usable filter.
const MinH = 1.0

// Params configures non-local means, in 8-bit units.
type Params struct {
	Patch  int     // side of the compared neighbourhoods (odd)
	Search int     // side of the search window around each pixel (odd)
	Sigma  float64 // noise standard deviation; its 2σ² is discounted from distances
	H      float64 // filtering parameter: larger smooths more
}

// A ParamError reports a parameter outside its range. Name is the
// parameter's name in Params, lower case: patch, search, sigma or h.
type ParamError struct {
	Name  string
	Value float64
	Want  string
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s %g: want %s", e.Name, e.Value, e.Want) }

// Validate reports the first parameter outside its range as a
// *ParamError. It checks a complete set: H must be positive.
func (p Params) Validate() error {
	switch {
	case p.Patch < 1 || p.Patch%2 == 0 || p.Patch > 31:
		return &ParamError{"patch", float64(p.Patch), "an odd side from 1 to 31"}
	case p.Search < 1 || p.Search%2 == 0 || p.Search > 101:
		return &ParamError{"search", float64(p.Search), "an odd side from 1 to 101"}
	case !(p.Sigma >= 0) || p.Sigma > 255:
		return &ParamError{"sigma", p.Sigma, "0..255"}
	case !(p.H > 0) || p.H > 1e4:
		return &ParamError{"h", p.H, "a positive value"}
	}
	return nil
}

// ValidateAuto is Validate for settings in which Sigma 0 means "estimate
// it" and H 0 means "DefaultH of sigma", as DenoiseTensor reads them.
func (p Params) ValidateAuto() error {
	if p.H == 0 {
		p.H = MinH
	}
	if p.H < 0 {
		return &ParamError{"h", p.H, "a positive value, or 0 for the default"}
	}
	return p.Validate()
}

// DefaultH is the filtering parameter used when none is given: h = f·σ
// with f = 0.8 up to σ = 10, 0.6 from σ = 20 and linear in between, at
// least MinH. With the 2σ² discount and the pixel's own weight 1, these
// gave the best PSNR over scikit-image's camera, coins, moon and astronaut
// photographs at σ = 10, 20 and 30 (7×7 patches, 21×21 search; 0.6σ loses
// up to 0.4 dB at σ = 10, 0.8σ up to 0.3 dB at σ = 20 and 30; see
// bench/nlmeans.sh).
func DefaultH(sigma float64) float64 {
	f := min(max(0.8-0.02*(sigma-10), 0.6), 0.8)
	return max(f*sigma, MinH)
}

// Resolve fills in what p leaves to the image: a zero Sigma becomes
// EstimateSigma of img ([C][H][W], 0..255), then a zero H becomes
// DefaultH of that sigma.
func (p Params) Resolve(img []float32, c, h, w int) Params {
	return p.resolveSources([]rowSource{planeSource(img, c, h, w, 1)}, c, h, w)
}

// resolveSources is Resolve with the noise estimated from all the
// pictures read through src together.
func (p Params) resolveSources(src []rowSource, c, h, w int) Params {
	if p.Sigma == 0 {
		p.Sigma = estimateSigma(src, c, h, w)
	}
	if p.H == 0 {
		p.H = DefaultH(p.Sigma)
	}
	return p
}

// WorkBytesPerPixel is about what DenoiseTensor takes per pixel of a
// c-channel image besides its input tensor: the result tensor (a float32
// a channel) and, when Sigma is to be estimated, the estimate's
// coefficients (a float32 per 2×2 block and channel). The filter reads the
// input a band of rows at a time and holds no other full-size copy. For
// imageio.Options.WorkBytesPerPixel, with imageio.FloatRGBBytes for the
// input tensor.
func WorkBytesPerPixel(c int) int64 {
	return int64(c) * (4 + 1)
}

// ImageWorkBytesPerPixel is about what DenoiseImage takes per pixel of a
// c-channel image besides the decoded picture: the 8-bit result (an
// *image.Gray, or an *image.RGBA of 4 bytes a pixel), the noise
// estimate's coefficients (a float32 per 2×2 block and channel, c bytes a
// pixel) and c bytes a pixel for the band of rows the filter reads the
// picture through (two float32 planes a channel, of its width and at
// least tileH + patch + search rows: under c bytes a pixel for a
// photograph of 1300 rows or more at a few threads). For
// imageio.Options.WorkBytesPerPixel.
func ImageWorkBytesPerPixel(c int) int64 {
	if c == 1 {
		return 1 + 1 + 1
	}
	return 4 + 2*int64(c)
}

// DenoiseTensor denoises a [C,H,W] image with values in 0..1 (as
// imageio.ToTensor gives it). Sigma and H of p are in 8-bit levels; zero
// ones are resolved per image (see Resolve) and the parameters used are
// returned with the result, a new tensor in 0..1.
func DenoiseTensor(t *tensor.Tensor, p Params, threads int) (*tensor.Tensor, Params, error) {
	if len(t.Shape) != 3 {
		return nil, p, fmt.Errorf("nlmeans: image tensor has shape %v, want [C,H,W]", t.Shape)
	}
	res, q, err := DenoiseFramesTensor([]*tensor.Tensor{t}, 1, p, threads)
	if err != nil {
		return nil, q, err
	}
	return res[0], q, nil
}

// Denoise denoises a planar image img ([C][H][W], values in 0..255) with
// the non-local means filter of Buades, Coll and Morel (CVPR 2005): every
// pixel becomes the weighted mean of the pixels j in its search window,
//
//	w(i,j) = exp(−max(d²(i,j) − 2σ², 0) / h²),
//
// where d² is the mean squared difference between the patches around i
// and j, averaged over the patch pixels and the channels. Discounting 2σ²,
// the expected distance between two noisy copies of the same patch, is
// the refinement of Buades, Coll and Morel's IPOL 2011 description; with
// σ = 0 it is the original weight. The pixel itself takes part with
// weight 1, its distance being 0. (Replacing that weight by the largest
// of the others, a common refinement, lost up to 0.8 dB at σ = 10 on the
// photographs of bench/nlmeans.sh and gained nothing above.) Colour
// images share one weight across their channels. Weights below e^−150
// count as none.
//
// Patch distances are taken on the pixels rounded to whole levels in
// 0..255 (the values averaged keep their precision), which makes the
// float32 running sums exact: for each offset in the search window a
// column sum over the patch height moves down the image one row in, one
// row out, and its horizontal box is the patch distance (the running-sum
// form of Darbon et al. 2008), so the cost is O(search² · H · W · C)
// whatever the patch size. The image is mirrored at its borders and read
// a band of rows at a time, so that no padded full-size copy is made.
// Fixed tiles are shared across threads; the result does not depend on
// the thread count.
func Denoise(img []float32, c, h, w int, p Params, threads int) []float32 {
	return DenoiseFrames([][]float32{img}, c, h, w, 1, p, threads)[0]
}

// mirror reflects an index into [0, n) without repeating the edge pixel
// (…2 1 0 1 2…), falling back to clamping for very small images.
func mirror(i, n int) int {
	if n == 1 {
		return 0
	}
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		}
		if i >= n {
			i = 2*(n-1) - i
		}
	}
	return i
}

// EstimateSigma estimates the standard deviation of additive white noise
// from the finest diagonal Haar detail: for each 2×2 block,
// (a − b − c + d)/2 has the noise's variance and almost none of a smooth
// image's content, and the median absolute value divided by 0.6745 (the
// MAD of a unit Gaussian) ignores the few blocks that straddle edges
// (Donoho and Johnstone 1994). Channels are pooled. img is [C][H][W] in
// 0..255; the result is in the same units.
func EstimateSigma(img []float32, c, h, w int) float64 {
	return estimateSigma([]rowSource{planeSource(img, c, h, w, 1)}, c, h, w)
}

// estimateSigma is EstimateSigma of the pictures read through src, their
// channels pooled. It reads two rows at a time and keeps one float32
// coefficient per 2×2 block and channel: a quarter of the pictures'
// values, and exact, since (a − b − c + d)/2 of float32 values is.
func estimateSigma(src []rowSource, c, h, w int) float64 {
	coef := make([]float32, 0, len(src)*c*(h/2)*(w/2))
	rows := make([]float32, 2*c*w)
	top, bot := rows[:c*w], rows[c*w:]
	for _, s := range src {
		for y := 0; y+1 < h; y += 2 {
			s(y, top, w)
			s(y+1, bot, w)
			for ch := 0; ch < c; ch++ {
				t, b := top[ch*w:(ch+1)*w], bot[ch*w:(ch+1)*w]
				for x := 0; x+1 < w; x += 2 {
					d := t[x] - t[x+1] - b[x] + b[x+1]
					coef = append(coef, float32(math.Abs(float64(d)))/2)
				}
			}
		}
	}
	if len(coef) == 0 {
		return 0
	}
	slices.Sort(coef)
	return float64(coef[len(coef)/2]) / 0.6745
}

// PSNR returns the peak signal-to-noise ratio in dB of a against b, both
// in 0..255.
func PSNR(a, b []float32) float64 {
	var se float64
	for i := range a {
		d := float64(a[i] - b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(len(a))))
}
