//go:build amd64 && !purego && !noasm

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go gen_small.go

// kernAVX2 is the 6×16 AVX2+FMA micro-kernel (kernels_amd64.s).
//
//go:noescape
func kernAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32)

// kernAVX512 is the 14×32 AVX-512F micro-kernel (kernels_amd64.s).
//
//go:noescape
func kernAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

// Block sizes, chosen so that the k×NR micro-panel of packed B stays in L1
// while the MC×KC block of packed A streams from L2 and the KC×NC block of
// packed B sits in L3 (the BLIS analytical model):
//
//	avx2   6×16: KC=256 → B micro-panel 16 KiB (half of a 32 KiB Zen 3 L1d);
//	             MC=144 → A block 144 KiB (a quarter of a 512 KiB Zen 3 L2);
//	             NC=4080 → B block 4 MiB of the shared L3.
//	avx512 14×32: KC=192 → B micro-panel 24 KiB (fits 32 KiB Zen 4 / SKX and
//	             48 KiB Zen 5 L1d); MC=168 → A block 126 KiB (1 MiB Zen 4 L2);
//	             NC=3072 → B block 2.25 MiB of L3.
var (
	kernelAVX2   = &kernel{name: "avx2", mr: 6, nr: 16, mc: 144, kc: 256, nc: 4080, fn: kernAVX2, edge: edgeAVX2, half: halfAVX2, small: smallAVX2}
	kernelAVX512 = &kernel{name: "avx512", mr: 14, nr: 32, mc: 168, kc: 192, nc: 3072, fn: kernAVX512, edge: edgeAVX512, half: halfAVX512, small: smallAVX512}
)

// archKernels lists the assembly kernels this CPU can run, best first.
func archKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernelAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, kernelAVX2)
	}
	return ks
}
