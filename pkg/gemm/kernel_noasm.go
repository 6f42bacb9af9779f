//go:build !amd64 || purego || noasm

package gemm

// archKernels lists no assembly kernels: this build uses the pure-Go
// micro-kernel only (non-amd64, or -tags purego / noasm).
func archKernels() []*kernel { return nil }
