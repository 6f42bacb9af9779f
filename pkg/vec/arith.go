package vec

// Add sets dst[i] = a[i] + b[i].
func Add(dst, a, b []float32) {
	checkLen3("Add", dst, a, b)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		addAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	addGeneric(dst, a, b)
}

// Sub sets dst[i] = a[i] − b[i].
func Sub(dst, a, b []float32) {
	checkLen3("Sub", dst, a, b)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		subAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	subGeneric(dst, a, b)
}

// Mul sets dst[i] = a[i] · b[i].
func Mul(dst, a, b []float32) {
	checkLen3("Mul", dst, a, b)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		mulAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	mulGeneric(dst, a, b)
}

// Div sets dst[i] = a[i] / b[i] (IEEE division: x/0 is ±Inf or NaN).
func Div(dst, a, b []float32) {
	checkLen3("Div", dst, a, b)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		divAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	divGeneric(dst, a, b)
}

// AddScalar sets dst[i] = x[i] + s.
func AddScalar(dst []float32, s float32, x []float32) {
	checkLen2("AddScalar", dst, x)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		addScalarAVX2(&dst[0], &x[0], len(dst), s)
		return
	}
	addScalarGeneric(dst, s, x)
}

// Scale sets dst[i] = s · x[i].
func Scale(dst []float32, s float32, x []float32) {
	checkLen2("Scale", dst, x)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		scaleAVX2(&dst[0], &x[0], len(dst), s)
		return
	}
	scaleGeneric(dst, s, x)
}

// Axpy accumulates y[i] += alpha · x[i] (BLAS saxpy; one fused
// multiply-add per element in the assembly kernel).
func Axpy(alpha float32, x, y []float32) {
	checkLen2("Axpy", x, y)
	if len(y) == 0 {
		return
	}
	if useAsm.Load() {
		axpyAVX2(&y[0], &x[0], len(y), alpha)
		return
	}
	axpyGeneric(alpha, x, y)
}

// AxpyTo sets dst[i] = alpha · x[i] + y[i] without modifying y.
func AxpyTo(dst []float32, alpha float32, x, y []float32) {
	checkLen3("AxpyTo", dst, x, y)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		axpyToAVX2(&dst[0], &x[0], &y[0], len(dst), alpha)
		return
	}
	axpyToGeneric(dst, alpha, x, y)
}

// ReLU sets dst[i] = max(x[i], 0). NaN stays NaN (as torch.relu); −0 may
// come back as either zero.
func ReLU(dst, x []float32) {
	checkLen2("ReLU", dst, x)
	if len(dst) == 0 {
		return
	}
	if useAsm.Load() {
		reluAVX2(&dst[0], &x[0], len(dst))
		return
	}
	reluGeneric(dst, x)
}

// ReLUBackward accumulates dx[i] += dy[i] where y[i] > 0, y being the
// output of ReLU (y > 0 exactly where the input was > 0, so the gradient at
// 0 is 0, as in PyTorch).
func ReLUBackward(dx, dy, y []float32) {
	checkLen3("ReLUBackward", dx, dy, y)
	if len(dx) == 0 {
		return
	}
	if useAsm.Load() {
		reluBackwardAVX2(&dx[0], &dy[0], &y[0], len(dx))
		return
	}
	reluBackwardGeneric(dx, dy, y)
}
