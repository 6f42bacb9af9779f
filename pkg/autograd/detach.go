package autograd

// Detach returns a Var sharing x's value that needs no gradient, so
// nothing computed from it sends gradient back into x (torch.Tensor.detach).
// REINFORCE uses it on the sampled location: the log-probability must see
// the sample as a constant.
func (tp *Tape) Detach(x *Var) *Var {
	return tp.Result(x.Value)
}
