package autograd

import "fmt"

// SplitHeads reshapes and permutes x [B, L, H·Dh] into [B, H, L, Dh], the
// layout of Attention's inputs. Models that attend with something other
// than MultiHeadAttention's one mask (a blocked attention, a cache) use it
// with MergeHeads around their own attention.
func (tp *Tape) SplitHeads(x *Var, heads int) *Var {
	if x.Value.Dims() != 3 || heads <= 0 || x.Value.Dim(2)%heads != 0 {
		panic(fmt.Sprintf("autograd: SplitHeads of %v into %d heads: want [B,L,E] with E a multiple of the heads", x.Value.Shape, heads))
	}
	return tp.splitHeads(x, heads)
}

// MergeHeads permutes and reshapes x [B, H, L, Dh] into [B, L, H·Dh], the
// inverse of SplitHeads.
func (tp *Tape) MergeHeads(x *Var) *Var {
	if x.Value.Dims() != 4 {
		panic(fmt.Sprintf("autograd: MergeHeads of %v: want [B,H,L,Dh]", x.Value.Shape))
	}
	return tp.mergeHeads(x)
}
