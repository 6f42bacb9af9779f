package optim

import (
	"fmt"
	"math"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
)

// AdamConfig holds the hyper-parameters of torch.optim.Adam and AdamW.
type AdamConfig struct {
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"`
	AMSGrad     bool    `json:"amsgrad"`
	Maximize    bool    `json:"maximize"`
}

// DefaultAdam returns torch.optim.Adam's defaults: lr 1e-3, betas
// (0.9, 0.999), eps 1e-8, no weight decay.
func DefaultAdam() AdamConfig { return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// DefaultAdamW returns torch.optim.AdamW's defaults: Adam's plus weight
// decay 0.01.
func DefaultAdamW() AdamConfig {
	c := DefaultAdam()
	c.WeightDecay = 0.01
	return c
}

func (c AdamConfig) validate() error {
	switch {
	case c.LR < 0:
		return fmt.Errorf("optim: Adam learning rate %g < 0", c.LR)
	case c.Eps < 0:
		return fmt.Errorf("optim: Adam eps %g < 0", c.Eps)
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return fmt.Errorf("optim: Adam beta1 %g outside [0, 1)", c.Beta1)
	case c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("optim: Adam beta2 %g outside [0, 1)", c.Beta2)
	case c.WeightDecay < 0:
		return fmt.Errorf("optim: Adam weight decay %g < 0", c.WeightDecay)
	}
	return nil
}

// Adam is the Adam optimizer (Kingma & Ba, Algorithm 1) as torch.optim.Adam
// computes it, or AdamW (Loshchilov & Hutter) with decoupled weight decay:
//
//	Adam:  g = grad + wd·p
//	AdamW: p = p·(1 - lr·wd)
//	m = m + (1-β1)·(g - m)
//	v = β2·v + (1-β2)·g·g
//	p = p - lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)
//
// eps is added after the square root and the bias correction, as torch does.
type Adam struct {
	cfg        AdamConfig
	decoupled  bool
	params     []*autograd.Var
	step       []int64
	m, v, vmax [][]float32 // lazily allocated on a parameter's first step
}

// NewAdam returns an Adam optimizer; WeightDecay is an L2 penalty added to
// the gradient.
func NewAdam(params []*autograd.Var, cfg AdamConfig) (*Adam, error) {
	return newAdam(params, cfg, false)
}

// NewAdamW returns an AdamW optimizer; WeightDecay shrinks the parameters
// directly before the Adam update.
func NewAdamW(params []*autograd.Var, cfg AdamConfig) (*Adam, error) {
	return newAdam(params, cfg, true)
}

func newAdam(params []*autograd.Var, cfg AdamConfig, decoupled bool) (*Adam, error) {
	if err := checkParams(params); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := len(params)
	return &Adam{cfg: cfg, decoupled: decoupled, params: params, step: make([]int64, n),
		m: make([][]float32, n), v: make([][]float32, n), vmax: make([][]float32, n)}, nil
}

// Config returns the hyper-parameters, including the current learning rate.
func (o *Adam) Config() AdamConfig { return o.cfg }

// LR returns the learning rate.
func (o *Adam) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *Adam) SetLR(lr float64) { o.cfg.LR = lr }

// Params returns the optimized parameters.
func (o *Adam) Params() []*autograd.Var { return o.params }

// ZeroGrad clears every parameter's gradient.
func (o *Adam) ZeroGrad() { zeroGrad(o.params) }

// Steps returns the number of updates applied to parameter i.
func (o *Adam) Steps(i int) int64 { return o.step[i] }

// Step applies one update. Parameters without a gradient are skipped and
// their step count does not advance, as torch skips grad=None.
func (o *Adam) Step() {
	c := o.cfg
	for i, p := range o.params {
		if p.Grad == nil {
			continue
		}
		pv, gv := p.Value.Data, p.Grad.Data
		if o.m[i] == nil {
			o.m[i] = make([]float32, len(pv))
			o.v[i] = make([]float32, len(pv))
			if c.AMSGrad {
				o.vmax[i] = make([]float32, len(pv))
			}
		}
		if c.AMSGrad && o.vmax[i] == nil { // amsgrad switched on by LoadState
			o.vmax[i] = make([]float32, len(pv))
		}
		o.step[i]++
		t := float64(o.step[i])
		// Scalars are Python floats in torch: computed in float64 and
		// rounded to float32 when they meet a float32 tensor.
		stepSize := c.LR / (1 - math.Pow(c.Beta1, t))
		bc2Sqrt := float32(math.Sqrt(1 - math.Pow(c.Beta2, t)))
		negStep := float32(-stepSize)
		w1 := float32(1 - c.Beta1)
		b2 := float32(c.Beta2)
		w2 := float32(1 - c.Beta2)
		eps := float32(c.Eps)
		wd := float32(c.WeightDecay)
		decay := float32(1 - c.LR*c.WeightDecay)
		m, v, vmax := o.m[i], o.v[i], o.vmax[i]
		for j := range pv {
			g := gv[j]
			if c.Maximize {
				g = -g
			}
			if c.WeightDecay != 0 {
				if o.decoupled {
					pv[j] *= decay
				} else {
					g += float32(wd * pv[j])
				}
			}
			// exp_avg.lerp_(g, 1-β1): torch's lerp is a + w·(b-a) for w < 0.5.
			if w1 < 0.5 {
				m[j] += float32(w1 * (g - m[j]))
			} else {
				m[j] = g - float32((g-m[j])*(1-w1))
			}
			// exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2).
			v[j] = float32(v[j]*b2) + float32(float32(w2*g)*g)
			vv := v[j]
			if vmax != nil {
				if vv > vmax[j] || vv != vv {
					vmax[j] = vv
				}
				vv = vmax[j]
			}
			denom := float32(math.Sqrt(float64(vv)))/bc2Sqrt + eps
			// param.addcdiv_(m, denom, value=-step_size).
			pv[j] += float32(negStep*m[j]) / denom
		}
	}
}

// adamMeta is what Adam stores under the "optim" metadata key.
type adamMeta struct {
	Type string `json:"type"`
	AdamConfig
}

func (o *Adam) kind() string {
	if o.decoupled {
		return "adamw"
	}
	return "adam"
}

// SaveState stores the step counts, moments and hyper-parameters in f.
func (o *Adam) SaveState(f *ckpt.File) error {
	putSteps(f, o.params, o.step)
	for i, p := range o.params {
		putMoment(f, "exp_avg", p, o.m[i])
		putMoment(f, "exp_avg_sq", p, o.v[i])
		putMoment(f, "max_exp_avg_sq", p, o.vmax[i])
	}
	return ckpt.PutJSON(f.Metadata, MetadataKey, adamMeta{o.kind(), o.cfg})
}

// LoadState restores what SaveState stored. Nothing changes on error.
func (o *Adam) LoadState(f *ckpt.File) error {
	var meta adamMeta
	if err := loadMeta(f, o.kind(), &meta); err != nil {
		return err
	}
	if err := meta.AdamConfig.validate(); err != nil {
		return fmt.Errorf("load %s: %w", f.Name, err)
	}
	steps, err := getSteps(f, o.params)
	if err != nil {
		return err
	}
	n := len(o.params)
	m, v, vmax := make([][]float32, n), make([][]float32, n), make([][]float32, n)
	for i, p := range o.params {
		started := steps[i] > 0
		if m[i], err = getMoment(f, "exp_avg", p, started); err != nil {
			return err
		}
		if v[i], err = getMoment(f, "exp_avg_sq", p, started); err != nil {
			return err
		}
		if vmax[i], err = getMoment(f, "max_exp_avg_sq", p, started && meta.AMSGrad); err != nil {
			return err
		}
		if (m[i] == nil) != (v[i] == nil) {
			return fmt.Errorf("load %s: parameter %q has only one of exp_avg and exp_avg_sq", f.Name, p.Name)
		}
	}
	o.cfg, o.step, o.m, o.v, o.vmax = meta.AdamConfig, steps, m, v, vmax
	return nil
}
