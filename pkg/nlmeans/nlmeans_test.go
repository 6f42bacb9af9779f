package nlmeans

import (
	"errors"
	"math"
	"testing"

	"github.com/attnkit/attn/internal/testimg"
	"github.com/attnkit/attn/pkg/tensor"
)

// TestDenoiseImprovesPSNR: on a noisy synthetic picture, gray and
// colour, the default settings (7×7 patches, 21×21 search, DefaultH) gain
// several dB and the noise estimate is close to the truth. (This small
// picture of flat areas gained 6.1–7.3 dB while the pixel's own weight was
// the largest of its neighbours'; with weight 1, which is what the
// photographs of bench/nlmeans.sh favour, it gains 5.3–5.5 dB.)
func TestDenoiseImprovesPSNR(t *testing.T) {
	for _, c := range []int{1, 3} {
		const h, w, sigma = 48, 48, 20
		clean := testimg.Synthetic(c, h, w)
		in := testimg.Noisy(clean, sigma, 7)
		est := EstimateSigma(in, c, h, w)
		if math.Abs(est-sigma) > 0.1*sigma {
			t.Errorf("c=%d: estimated sigma %.2f, want about %d", c, est, sigma)
		}
		out := Denoise(in, c, h, w, Params{Patch: 7, Search: 21, Sigma: est, H: DefaultH(est)}, 2)
		before, after := PSNR(in, clean), PSNR(out, clean)
		t.Logf("c=%d sigma=%d (est %.1f): PSNR %.2f -> %.2f dB", c, sigma, est, before, after)
		if after < before+5 {
			t.Errorf("c=%d: PSNR %.2f -> %.2f dB, want a gain of at least 5 dB", c, before, after)
		}
	}
}

// The result does not depend on how rows are split across threads, and a
// flat image stays flat.
func TestDenoiseDeterministic(t *testing.T) {
	const c, h, w = 3, 23, 17
	in := testimg.Noisy(testimg.Synthetic(c, h, w), 15, 3)
	p := Params{Patch: 5, Search: 9, Sigma: 15, H: 9}
	ref := Denoise(in, c, h, w, p, 1)
	for _, threads := range []int{2, 3, 8, 100} {
		got := Denoise(in, c, h, w, p, threads)
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("threads=%d: value %d is %v, want %v", threads, i, got[i], ref[i])
			}
		}
	}
	flat := make([]float32, 5*6)
	for i := range flat {
		flat[i] = 77
	}
	for _, v := range Denoise(flat, 1, 5, 6, Params{Patch: 7, Search: 21, H: 5}, 2) {
		if math.Abs(float64(v)-77) > 1e-3 {
			t.Fatalf("flat image changed to %v", v)
		}
	}
	// A 1x1 search window has no neighbours: the image comes back as is.
	same := Denoise(in, c, h, w, Params{Patch: 3, Search: 1, H: 5}, 2)
	for i := range in {
		if same[i] != in[i] {
			t.Fatalf("1x1 search changed value %d", i)
		}
	}
}

func TestMirror(t *testing.T) {
	for _, c := range []struct{ i, n, want int }{
		{0, 5, 0}, {4, 5, 4}, {-1, 5, 1}, {-3, 5, 3}, {5, 5, 3}, {7, 5, 1}, {-9, 3, 1}, {12, 3, 0}, {-4, 1, 0},
	} {
		if got := mirror(c.i, c.n); got != c.want {
			t.Errorf("mirror(%d, %d) = %d, want %d", c.i, c.n, got, c.want)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	good := Params{Patch: 7, Search: 21, Sigma: 10, H: 6}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Params{
		{Patch: 6, Search: 21, H: 1}, {Patch: 7, Search: 20, H: 1}, {Patch: 7, Search: 21, H: 0},
		{Patch: 7, Search: 21, H: math.NaN()}, {Patch: 7, Search: 21, Sigma: -1, H: 1}, {Patch: 0, Search: 21, H: 1},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// ValidateAuto takes 0 for sigma and h as "work it out"; Resolve does so
// and DenoiseTensor reports what it used.
func TestAutoParams(t *testing.T) {
	for _, c := range []struct {
		p     Params
		ok    bool
		field string
	}{
		{Params{Patch: 7, Search: 21}, true, ""},
		{Params{Patch: 7, Search: 21, Sigma: 20, H: 12}, true, ""},
		{Params{Patch: 7, Search: 21, H: -1}, false, "h"},
		{Params{Patch: 8, Search: 21}, false, "patch"},
		{Params{Patch: 7, Search: 21, Sigma: -2}, false, "sigma"},
	} {
		err := c.p.ValidateAuto()
		if (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.p, err)
			continue
		}
		var pe *ParamError
		if err != nil && (!errors.As(err, &pe) || pe.Name != c.field) {
			t.Errorf("%+v: %v, want a ParamError on %s", c.p, err, c.field)
		}
	}
	if got := DefaultH(0); got != MinH {
		t.Errorf("DefaultH(0) = %g", got)
	}
	const c, h, w, sigma = 1, 32, 32, 20
	in := testimg.Noisy(testimg.Synthetic(c, h, w), sigma, 5)
	r := Params{Patch: 5, Search: 11}.Resolve(in, c, h, w)
	if r.Sigma != EstimateSigma(in, c, h, w) || r.H != DefaultH(r.Sigma) {
		t.Errorf("Resolve: %+v", r)
	}
	if r := (Params{Sigma: 3, H: 4}).Resolve(in, c, h, w); r.Sigma != 3 || r.H != 4 {
		t.Errorf("Resolve overrode given values: %+v", r)
	}
	// DenoiseTensor works in 0..1 and gives Denoise's result.
	x := tensor.New(c, h, w)
	for i, v := range in {
		x.Data[i] = v / 255
	}
	got, used, err := DenoiseTensor(x, Params{Patch: 5, Search: 11}, 2)
	if err != nil {
		t.Fatal(err)
	}
	px := make([]float32, len(x.Data))
	for i, v := range x.Data {
		px[i] = v * 255
	}
	want := Denoise(px, c, h, w, used, 1)
	for i := range want {
		if got.Data[i] != want[i]/255 {
			t.Fatalf("value %d: %v, want %v", i, got.Data[i], want[i]/255)
		}
	}
	if _, _, err := DenoiseTensor(tensor.New(h, w), Params{Patch: 5, Search: 11}, 1); err == nil {
		t.Error("a 2-D tensor was accepted")
	}
}
