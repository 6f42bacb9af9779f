"""Go's math/rand/v2 PCG source and Rand.Float64, in Python.

The Go tools draw the random first glimpse location of an evaluation from
rand.New(rand.NewPCG(seed, batch)) (pkg/ram.Evaluate); a Python evaluation
that draws the same numbers sees the same glimpses, so its error can be
compared with `glimpse eval` digit for digit. Only what that needs is
here: the 128-bit PCG step with the DXSM output (Go's pcg.go) and
Float64's 53-bit conversion. It is slow (Python integers) and meant for a
few numbers per image, not for training.
"""

_M64 = (1 << 64) - 1
_MUL = (2549297995355413924 << 64) | 4865540595714422341
_INC = (6364136223846793005 << 64) | 1442695040888963407
_CHEAP_MUL = 0xDA942042E4DD58B5


class GoRand:
    """rand.New(rand.NewPCG(seed1, seed2)) of Go's math/rand/v2."""

    def __init__(self, seed1, seed2):
        self.state = ((seed1 & _M64) << 64) | (seed2 & _M64)

    def uint64(self):
        self.state = (self.state * _MUL + _INC) & ((1 << 128) - 1)
        hi, lo = self.state >> 64, self.state & _M64
        hi ^= hi >> 32
        hi = (hi * _CHEAP_MUL) & _M64
        hi ^= hi >> 48
        return (hi * (lo | 1)) & _M64

    def float64(self):
        """A float in [0, 1): the low 53 bits over 2^53, as Go's Float64."""
        return (self.uint64() & ((1 << 53) - 1)) / float(1 << 53)
