//go:build race

package conv

// raceEnabled: the race detector makes sync.Pool (used by gemm for its
// packing buffers) drop items at random, so allocation counts mean nothing
// under -race.
const raceEnabled = true
