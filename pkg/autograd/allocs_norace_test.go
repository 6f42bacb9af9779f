//go:build !race

package autograd

// allocsUnreliable is false in normal builds: see allocs_race_test.go.
const allocsUnreliable = false
