package gemm

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"unsafe"
)

// microKernel computes one MR×NR tile C = alpha·(a·b) + beta·C from a packed
// MR×k micro-panel of A and a packed k×NR micro-panel of B (pack.go). When
// beta is zero C is written without being read. The tile must lie entirely
// inside C; partial tiles go through a scratch tile (driver.go).
type microKernel func(k int, a, b, c *float32, ldc int, alpha, beta float32)

// kernel is one entry of the dispatch table: a micro-kernel, its register
// tile and the cache-block sizes tuned for it.
type kernel struct {
	name   string
	mr, nr int // register tile: rows of A, columns of B
	mc     int // rows of the packed A block (multiple of mr), sized for L2
	kc     int // depth of a packed block, sized so a kc×nr B panel fits L1
	nc     int // columns of the packed B block (multiple of nr), sized for L3
	fn     microKernel
	// edge[r], when present, computes only the first r < mr rows of a tile
	// (from a full mr-row packed panel), writing straight into C: the last
	// row panel when m is not a multiple of mr then costs r rows, not mr.
	edge []microKernel
	// half, when present, computes the left NR/2 columns of a full-height
	// tile, for a last column panel of exactly that width.
	half microKernel
	// small computes products with few rows or one column (small.go).
	small *smallKernels
}

// kernelGeneric is the pure-Go 4×4 micro-kernel: the only kernel off amd64
// and under -tags purego/noasm, and always selectable for comparison.
var kernelGeneric = &kernel{name: "generic", mr: 4, nr: 4, mc: 128, kc: 256, nc: 4096, fn: kernGeneric, small: smallGeneric}

// EnvKernel names the environment variable read once at package
// initialisation to force a kernel, with the names SetKernel accepts.
const EnvKernel = "ATTNKIT_GEMM_KERNEL"

var (
	// available lists the kernels this machine supports, best first; it is
	// set once at init and never changes.
	available []*kernel
	// active is the kernel used by new calls (the dispatch table).
	active atomic.Pointer[kernel]
)

// EnvBlocks names the environment variable read once at initialisation to
// override the cache blocking of every kernel, as "MC,KC,NC" (MC and NC are
// rounded up to multiples of the tile). It exists for tuning on a new CPU
// (bench/gemm.sh and bench/gemm inherit it). Results may differ from the
// default's in the last bits: KC sets the order of summation over k.
const EnvBlocks = "ATTNKIT_GEMM_BLOCKS"

func init() {
	available = append(archKernels(), kernelGeneric)
	if s := os.Getenv(EnvBlocks); s != "" {
		var mc, kc, nc int
		if _, err := fmt.Sscanf(s, "%d,%d,%d", &mc, &kc, &nc); err != nil || mc <= 0 || kc <= 0 || nc <= 0 {
			fmt.Fprintf(os.Stderr, "gemm: ignoring %s=%q: want MC,KC,NC (positive)\n", EnvBlocks, s)
		} else {
			for _, k := range available {
				k.mc = (mc + k.mr - 1) / k.mr * k.mr
				k.kc = kc
				k.nc = (nc + k.nr - 1) / k.nr * k.nr
			}
		}
	}
	active.Store(available[0])
	if name := os.Getenv(EnvKernel); name != "" {
		if err := SetKernel(name); err != nil {
			// init cannot return an error; keep the best kernel and say why.
			fmt.Fprintf(os.Stderr, "gemm: ignoring %s: %v\n", EnvKernel, err)
		}
	}
}

// Kernels lists the names of the micro-kernels this machine supports, best
// first: some of "avx512", "avx2", followed by "generic", which is always
// available.
func Kernels() []string {
	names := make([]string, len(available))
	for i, k := range available {
		names[i] = k.name
	}
	return names
}

// Kernel returns the name of the micro-kernel new Sgemm calls use.
func Kernel() string { return active.Load().name }

// SetKernel forces the micro-kernel used by subsequent calls: "avx512",
// "avx2" or "generic" (case-insensitive); "" or "auto" selects the best one
// this machine supports. It returns an error, and changes nothing, when the
// name is unknown or the CPU (or the build: -tags purego/noasm) cannot run
// that kernel. Calls already running finish with the kernel they started
// with. The environment variable ATTNKIT_GEMM_KERNEL does the same at start.
func SetKernel(name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || name == "auto" {
		active.Store(available[0])
		return nil
	}
	for _, k := range available {
		if k.name == name {
			active.Store(k)
			return nil
		}
	}
	switch name {
	case "avx512", "avx2":
		return fmt.Errorf("gemm: kernel %q is not supported on this machine or build (have %s)", name, strings.Join(Kernels(), ", "))
	}
	return fmt.Errorf("gemm: unknown kernel %q (want avx512, avx2, generic or auto)", name)
}

// kernGeneric is the portable 4×4 micro-kernel. Sixteen scalar accumulators
// fit the register files of arm64 (32 FP registers) and mostly of amd64.
func kernGeneric(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	as := unsafe.Slice(a, 4*k)
	bs := unsafe.Slice(b, 4*k)
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		ap := as[4*p : 4*p+4 : 4*p+4]
		bp := bs[4*p : 4*p+4 : 4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	storeRow4(cs[0:4:4], c00, c01, c02, c03, alpha, beta)
	storeRow4(cs[ldc:ldc+4:ldc+4], c10, c11, c12, c13, alpha, beta)
	storeRow4(cs[2*ldc:2*ldc+4:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	storeRow4(cs[3*ldc:3*ldc+4:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// storeRow4 writes one row of a generic tile with the BLAS beta rule.
func storeRow4(d []float32, x0, x1, x2, x3, alpha, beta float32) {
	d = d[:4]
	if beta == 0 {
		d[0], d[1], d[2], d[3] = alpha*x0, alpha*x1, alpha*x2, alpha*x3
		return
	}
	d[0] = alpha*x0 + beta*d[0]
	d[1] = alpha*x1 + beta*d[1]
	d[2] = alpha*x2 + beta*d[2]
	d[3] = alpha*x3 + beta*d[3]
}
