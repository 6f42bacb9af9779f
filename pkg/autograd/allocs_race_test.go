//go:build race

package autograd

// allocsUnreliable is set under the race detector, where sync.Pool (used
// by gemm for packing buffers) drops items at random, so AllocsPerRun
// counts pool misses that a normal build never sees.
const allocsUnreliable = true
