package optim

import (
	"errors"
	"fmt"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
)

// SGDConfig holds the hyper-parameters of torch.optim.SGD.
type SGDConfig struct {
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`
	Dampening   float64 `json:"dampening"`
	WeightDecay float64 `json:"weight_decay"` // L2 penalty added to the gradient
	Nesterov    bool    `json:"nesterov"`
	Maximize    bool    `json:"maximize"`
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, following torch.optim.SGD:
//
//	g = grad + wd·p
//	buf = g on the first step, else momentum·buf + (1-dampening)·g
//	g = g + momentum·buf (Nesterov) or buf
//	p = p - lr·g
type SGD struct {
	cfg    SGDConfig
	params []*autograd.Var
	buf    [][]float32 // momentum buffers; nil until a parameter's first step
}

// NewSGD returns an SGD optimizer over params.
func NewSGD(params []*autograd.Var, cfg SGDConfig) (*SGD, error) {
	if err := checkParams(params); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &SGD{cfg: cfg, params: params, buf: make([][]float32, len(params))}, nil
}

func (c SGDConfig) validate() error {
	switch {
	case c.LR < 0:
		return fmt.Errorf("optim: SGD learning rate %g < 0", c.LR)
	case c.Momentum < 0:
		return fmt.Errorf("optim: SGD momentum %g < 0", c.Momentum)
	case c.WeightDecay < 0:
		return fmt.Errorf("optim: SGD weight decay %g < 0", c.WeightDecay)
	case c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0):
		return errors.New("optim: Nesterov momentum requires a momentum and zero dampening")
	}
	return nil
}

// Config returns the hyper-parameters, including the current learning rate.
func (o *SGD) Config() SGDConfig { return o.cfg }

// LR returns the learning rate.
func (o *SGD) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *SGD) SetLR(lr float64) { o.cfg.LR = lr }

// Params returns the optimized parameters.
func (o *SGD) Params() []*autograd.Var { return o.params }

// ZeroGrad clears every parameter's gradient.
func (o *SGD) ZeroGrad() { zeroGrad(o.params) }

// Step applies one SGD update. Parameters without a gradient are skipped
// and their momentum buffer is left as it is, as torch skips grad=None.
func (o *SGD) Step() {
	c := o.cfg
	wd := float32(c.WeightDecay)
	mom := float32(c.Momentum)
	damp := float32(1 - c.Dampening)
	negLR := float32(-c.LR)
	for i, p := range o.params {
		if p.Grad == nil {
			continue
		}
		pv, gv := p.Value.Data, p.Grad.Data
		first := false
		if c.Momentum != 0 && o.buf[i] == nil {
			o.buf[i] = make([]float32, len(pv))
			first = true
		}
		buf := o.buf[i]
		for j := range pv {
			g := gv[j]
			if c.Maximize {
				g = -g
			}
			if wd != 0 {
				g += float32(wd * pv[j])
			}
			if c.Momentum != 0 {
				if first {
					buf[j] = g
				} else {
					buf[j] = float32(buf[j]*mom) + float32(damp*g)
				}
				if c.Nesterov {
					g += float32(mom * buf[j])
				} else {
					g = buf[j]
				}
			}
			pv[j] += float32(negLR * g)
		}
	}
}

// sgdMeta is what SGD stores under the "optim" metadata key.
type sgdMeta struct {
	Type string `json:"type"`
	SGDConfig
}

// SaveState stores the momentum buffers and hyper-parameters in f.
func (o *SGD) SaveState(f *ckpt.File) error {
	for i, p := range o.params {
		putMoment(f, "momentum_buffer", p, o.buf[i])
	}
	return ckpt.PutJSON(f.Metadata, MetadataKey, sgdMeta{"sgd", o.cfg})
}

// LoadState restores what SaveState stored.
func (o *SGD) LoadState(f *ckpt.File) error {
	var m sgdMeta
	if err := loadMeta(f, "sgd", &m); err != nil {
		return err
	}
	if err := m.SGDConfig.validate(); err != nil {
		return fmt.Errorf("load %s: %w", f.Name, err)
	}
	bufs := make([][]float32, len(o.params))
	for i, p := range o.params {
		b, err := getMoment(f, "momentum_buffer", p, false)
		if err != nil {
			return err
		}
		bufs[i] = b
	}
	o.cfg, o.buf = m.SGDConfig, bufs
	return nil
}
