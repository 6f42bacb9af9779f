package ram

import (
	"github.com/attnkit/attn/pkg/autograd"
)

// Stats are the per-batch figures a training loop reports.
type Stats struct {
	Loss, CE, Baseline, Reinforce float64
	Correct, N                    int
	Reward                        float64 // mean reward (= accuracy here)
}

// Loss builds the hybrid loss of Section 3.2 on the tape:
//
//	L = CE(logits, y) + MSE(b_t, R) − (1/N) Σ_n Σ_t log π(l_t,n) · (R_n − b_t,n)
//
// with reward R = 1 for a correct final classification. The advantage
// R − b is a constant: the REINFORCE term trains the policy (and, unless
// DetachPolicy, the core) but never the baseline, whose only gradient is
// its own regression onto R.
func (m *Model) Loss(tp *autograd.Tape, ep *Episode, labels []int) (*autograd.Var, Stats) {
	n := ep.N
	st := Stats{N: n}
	ce := tp.CrossEntropy(ep.Logits, labels, -1)
	reward := make([]float32, n)
	c := m.Cfg.Classes
	for i := 0; i < n; i++ {
		row := ep.Logits.Value.Data[i*c : (i+1)*c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == labels[i] {
			reward[i] = 1
			st.Correct++
		}
	}
	st.Reward = float64(st.Correct) / float64(n)
	total := ce
	st.CE = float64(ce.Value.Data[0])

	var meanR float32
	for _, r := range reward {
		meanR += r
	}
	meanR /= float32(n)

	var rl, bl *autograd.Var
	nb := 0 // baselines that exist (a learned first location has none)
	for i, lp := range ep.LogProbs {
		adv := tp.Alloc(n, 1)
		b := ep.Baselines[i]
		for k := 0; k < n; k++ {
			if b != nil {
				adv.Data[k] = reward[k] - b.Value.Data[k]
			} else {
				adv.Data[k] = reward[k] - meanR
			}
		}
		term := tp.Sum(tp.Mul(lp, tp.Const(adv))) // Σ_n Σ_xy log π · A
		if rl == nil {
			rl = term
		} else {
			rl = tp.Add(rl, term)
		}
		if b != nil {
			target := tp.Alloc(n, 1)
			copy(target.Data, reward)
			mse := tp.MSE(b, tp.Const(target))
			nb++
			if bl == nil {
				bl = mse
			} else {
				bl = tp.Add(bl, mse)
			}
		}
	}
	if bl != nil {
		bl = tp.Scale(bl, 1/float32(nb))
		st.Baseline = float64(bl.Value.Data[0])
		total = tp.Add(total, bl)
	}
	if rl != nil {
		rl = tp.Scale(rl, -1/float32(n))
		st.Reinforce = float64(rl.Value.Data[0])
		total = tp.Add(total, rl)
	}
	st.Loss = float64(total.Value.Data[0])
	return total, st
}
