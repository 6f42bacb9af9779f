package parallel

import (
	"fmt"
	"sync"
	"testing"
)

// TestRanges: the ranges are contiguous, cover [0, n) once, and range k
// is the same whichever goroutine runs it.
func TestRanges(t *testing.T) {
	for _, tc := range [][2]int{{1, 10}, {2, 10}, {3, 10}, {4, 3}, {3, 0}} {
		th, n := tc[0], tc[1]
		t.Run(fmt.Sprintf("t=%d/n=%d", th, n), func(t *testing.T) {
			var mu sync.Mutex
			got := make([][2]int, th)
			seen := make([]int, n)
			Ranges(th, n, func(k, lo, hi int) {
				mu.Lock()
				defer mu.Unlock()
				got[k] = [2]int{lo, hi}
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			})
			for k := range th {
				if want := [2]int{k * n / th, (k + 1) * n / th}; got[k] != want {
					t.Errorf("range %d = %v, want %v", k, got[k], want)
				}
			}
			for i, c := range seen {
				if c != 1 {
					t.Errorf("element %d covered %d times", i, c)
				}
			}
		})
	}
}
