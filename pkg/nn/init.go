package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/attnkit/attn/pkg/tensor"
)

// Nonlinearity names the activation a gain is computed for, with
// torch.nn.init.calculate_gain's spelling.
type Nonlinearity string

// The nonlinearities Gain knows.
const (
	ActLinear    Nonlinearity = "linear"
	ActConv      Nonlinearity = "conv2d"
	ActSigmoid   Nonlinearity = "sigmoid"
	ActTanh      Nonlinearity = "tanh"
	ActReLU      Nonlinearity = "relu"
	ActLeakyReLU Nonlinearity = "leaky_relu"
	ActSELU      Nonlinearity = "selu"
)

// Gain returns torch.nn.init.calculate_gain(nl, param): the factor that
// keeps activations' variance stable through nl. param is leaky_relu's
// negative slope (torch's default 0.01 is used when param is negative).
func Gain(nl Nonlinearity, param float64) float64 {
	switch nl {
	case ActLinear, ActConv, ActSigmoid, "conv1d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d":
		return 1
	case ActTanh:
		return 5.0 / 3
	case ActReLU:
		return math.Sqrt(2)
	case ActLeakyReLU:
		if param < 0 {
			param = 0.01
		}
		return math.Sqrt(2 / (1 + param*param))
	case ActSELU:
		return 3.0 / 4
	}
	panic(fmt.Sprintf("nn: unknown nonlinearity %q", nl))
}

// Fans returns the fan-in and fan-out of a weight shape as torch computes
// them: shape[1] and shape[0] times the receptive field (the product of
// the remaining dimensions). A weight needs at least 2 dimensions.
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("nn: fan in and fan out need a shape of at least 2 dimensions, got %v", shape))
	}
	rf := 1
	for _, d := range shape[2:] {
		rf *= d
	}
	return shape[1] * rf, shape[0] * rf
}

// FanMode chooses which fan Kaiming initialisation preserves.
type FanMode int

const (
	// FanIn preserves the variance of activations in the forward pass
	// (torch's default mode='fan_in').
	FanIn FanMode = iota
	// FanOut preserves the variance of gradients in the backward pass.
	FanOut
)

func fan(shape []int, mode FanMode) int {
	in, out := Fans(shape)
	if mode == FanOut {
		return out
	}
	return in
}

// Every initialiser here draws through Uniform or Normal, and both leave t
// untouched when rng is nil. A layer constructor given a nil rng thus
// allocates its weights without drawing them: what a model about to be
// loaded from a file wants, since drawing millions of samples only to
// overwrite them costs more than the load itself.

// Uniform fills t with samples of U(lo, hi); a nil rng leaves t as it is.
func Uniform(rng *rand.Rand, t *tensor.Tensor, lo, hi float64) {
	if rng == nil {
		return
	}
	for i := range t.Data {
		t.Data[i] = float32(lo + (hi-lo)*rng.Float64())
	}
}

// Normal fills t with samples of N(mean, std²); a nil rng leaves t as it
// is.
func Normal(rng *rand.Rand, t *tensor.Tensor, mean, std float64) {
	if rng == nil {
		return
	}
	for i := range t.Data {
		t.Data[i] = float32(mean + std*rng.NormFloat64())
	}
}

// Zeros sets t to 0.
func Zeros(t *tensor.Tensor) { t.Zero() }

// Ones sets t to 1.
func Ones(t *tensor.Tensor) { t.Fill(1) }

// KaimingUniform is torch.nn.init.kaiming_uniform_(t, a, mode, nl) (He et
// al. 2015): U(-b, b) with b = gain·sqrt(3/fan). a is the negative slope
// used by the leaky_relu gain.
func KaimingUniform(rng *rand.Rand, t *tensor.Tensor, a float64, mode FanMode, nl Nonlinearity) {
	if t.Size() == 0 { // torch: initialising a zero-element tensor is a no-op
		return
	}
	b := Gain(nl, a) * math.Sqrt(3/float64(fan(t.Shape, mode)))
	Uniform(rng, t, -b, b)
}

// KaimingNormal is torch.nn.init.kaiming_normal_(t, a, mode, nl):
// N(0, std²) with std = gain/sqrt(fan).
func KaimingNormal(rng *rand.Rand, t *tensor.Tensor, a float64, mode FanMode, nl Nonlinearity) {
	if t.Size() == 0 {
		return
	}
	Normal(rng, t, 0, Gain(nl, a)/math.Sqrt(float64(fan(t.Shape, mode))))
}

// XavierUniform is torch.nn.init.xavier_uniform_(t, gain) (Glorot &
// Bengio 2010): U(-b, b) with b = gain·sqrt(6/(fan_in+fan_out)).
func XavierUniform(rng *rand.Rand, t *tensor.Tensor, gain float64) {
	if t.Size() == 0 {
		return
	}
	in, out := Fans(t.Shape)
	b := gain * math.Sqrt(6/float64(in+out))
	Uniform(rng, t, -b, b)
}

// XavierNormal is torch.nn.init.xavier_normal_(t, gain): N(0, std²) with
// std = gain·sqrt(2/(fan_in+fan_out)).
func XavierNormal(rng *rand.Rand, t *tensor.Tensor, gain float64) {
	if t.Size() == 0 {
		return
	}
	in, out := Fans(t.Shape)
	Normal(rng, t, 0, gain*math.Sqrt(2/float64(in+out)))
}

// initLinearLike applies the default initialisation of torch's Linear and
// ConvNd: kaiming_uniform_(w, a=sqrt(5)), which is U(±1/sqrt(fan_in)), and
// the bias from U(±1/sqrt(fan_in)) (zero bound when fan_in is 0).
func initLinearLike(rng *rand.Rand, w, b *tensor.Tensor) {
	KaimingUniform(rng, w, math.Sqrt(5), FanIn, ActLeakyReLU)
	if b == nil {
		return
	}
	in, _ := Fans(w.Shape)
	bound := 0.0
	if in > 0 {
		bound = 1 / math.Sqrt(float64(in))
	}
	Uniform(rng, b, -bound, bound)
}
