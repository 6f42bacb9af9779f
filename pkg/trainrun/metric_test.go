package trainrun

import "testing"

func TestRunningError(t *testing.T) {
	for _, c := range []struct {
		correct, n int
		want       float64
	}{
		{0, 0, 100}, {3, 4, 25}, {4, 4, 0}, {0, 5, 100},
	} {
		m := RunningError(c.correct, c.n)
		if m.Value != c.want || m.Name != "error_pct" || m.HigherBetter || m.Digits != 2 {
			t.Errorf("RunningError(%d, %d) = %+v, want error_pct %g", c.correct, c.n, m, c.want)
		}
	}
}
