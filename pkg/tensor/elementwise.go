package tensor

import "github.com/attnkit/attn/pkg/vec"

// Scale sets dst = s · src.
func Scale(dst *Tensor, s float32, src *Tensor) {
	checkSame("Scale", dst, src)
	vec.Scale(dst.Data, s, src.Data)
}

// AddScalar sets dst = src + s.
func AddScalar(dst *Tensor, s float32, src *Tensor) {
	checkSame("AddScalar", dst, src)
	vec.AddScalar(dst.Data, s, src.Data)
}

// Axpy accumulates y += alpha · x (same shapes; no broadcasting).
func Axpy(alpha float32, x, y *Tensor) {
	checkSame("Axpy", x, y)
	vec.Axpy(alpha, x.Data, y.Data)
}

// Exp sets dst = e^src elementwise (within 2 ulp; see vec.Exp).
func Exp(dst, src *Tensor) {
	checkSame("Exp", dst, src)
	vec.Exp(dst.Data, src.Data)
}

// Log sets dst = ln src elementwise (−Inf at 0, NaN below 0).
func Log(dst, src *Tensor) {
	checkSame("Log", dst, src)
	vec.Log(dst.Data, src.Data)
}

// Tanh sets dst = tanh src elementwise.
func Tanh(dst, src *Tensor) {
	checkSame("Tanh", dst, src)
	vec.Tanh(dst.Data, src.Data)
}

// Sigmoid sets dst = 1/(1+e^−src) elementwise.
func Sigmoid(dst, src *Tensor) {
	checkSame("Sigmoid", dst, src)
	vec.Sigmoid(dst.Data, src.Data)
}

// ReLU sets dst = max(src, 0) elementwise; NaN stays NaN (torch.relu).
func ReLU(dst, src *Tensor) {
	checkSame("ReLU", dst, src)
	vec.ReLU(dst.Data, src.Data)
}
