package caption

import (
	"math"
	"sort"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/data"
)

// DefaultBeam is the beam width of decoding.
const DefaultBeam = 3

// DecodeOptions control Decode.
type DecodeOptions struct {
	Beam int // beam width K (1: greedy; default DefaultBeam)
	// LengthNorm ranks finished captions by their log-probability per
	// token (<end> included) instead of the total, which otherwise
	// favours short captions.
	LengthNorm bool
	MaxLen     int // most words per caption (default Cfg.MaxLen)
}

// Caption is one generated caption.
type Caption struct {
	IDs     []int       // word ids, without <start> and <end>
	Tokens  []string    // the words
	LogProb float64     // log p of the words and of the <end> after them
	Ended   bool        // false: <end> was forced at the maximum length
	Alphas  [][]float32 // per word, the attention map (L values, row-major grid); nil without attention
}

// hyp is a partial caption in the beam.
type hyp struct {
	ids    []int
	alphas [][]float32
	logp   float64
	ended  bool // emitted <end> before the maximum length
}

// score ranks hypotheses: the log-probability, or per token (<end>
// included) with length normalisation.
func (h hyp) score(norm bool) float64 {
	if !norm {
		return h.logp
	}
	return h.logp / float64(len(h.ids)+1)
}

// Decode generates a caption for every image of the batch whose
// annotations ann [N, L, D] Encode returned, by beam search with
// opt.Beam beams per image, batched over the images (N·K rows per step).
// A hypothesis ends when it emits <end>; an image is done when it has K
// ended hypotheses, or when (without length normalisation) none of its
// live ones can still beat its best ended one, since log-probabilities
// only fall. After the maximum number of words only <end> may follow, so
// decoding always terminates with a caption per image even when no beam
// chose to end (Caption.Ended tells). Ties
// are broken by beam and word order, so the result does not depend on
// how images are batched or on the thread count. The tape should not
// record (NewInference); the caller resets it.
func (m *Model) Decode(tp *autograd.Tape, ann *autograd.Var, opt DecodeOptions) []Caption {
	K := opt.Beam
	if K <= 0 {
		K = DefaultBeam
	}
	maxLen := opt.MaxLen
	if maxLen <= 0 {
		maxLen = m.Cfg.MaxLen
	}
	N, V := ann.Value.Dim(0), m.Cfg.Vocab
	rows := make([]int, N*K)
	for r := range rows {
		rows[r] = r / K
	}
	mem := m.memory(tp, ann).expand(tp, rows)
	h, c := m.initState(tp, mem)
	beams := make([][]hyp, N) // live hypotheses; beams[i][b] sits in row i·K+b
	for i := range beams {
		beams[i] = []hyp{{}}
	}
	done := make([][]hyp, N)
	finished := make([]bool, N)
	prev := make([]int, N*K)
	src := make([]int, N*K)
	// cands is reused across images and steps: K·(V−1) candidates each.
	type cand struct {
		b, w  int
		score float64
	}
	cands := make([]cand, 0, K*(V-1))
	for step := 0; step <= maxLen; step++ {
		for r := range prev {
			prev[r] = data.StartID
		}
		for i, bs := range beams {
			for b, hp := range bs {
				if n := len(hp.ids); n > 0 {
					prev[i*K+b] = hp.ids[n-1]
				}
			}
		}
		z, alpha := m.expected(tp, mem, h)
		emb := m.embed.Forward(tp, prev)
		h, c = m.lstm.Forward(tp, tp.Concat(1, emb, z), h, c)
		logp := tp.LogSoftmax(m.deepOutput(tp, emb, h, z, nil), 1).Value.Data
		L := 0
		if alpha != nil {
			L = alpha.Value.Dim(1)
		}
		for i := range beams {
			if finished[i] {
				for b := 0; b < K; b++ {
					src[i*K+b] = i * K
				}
				continue
			}
			cands = cands[:0]
			for b, hp := range beams[i] {
				row := logp[(i*K+b)*V : (i*K+b+1)*V]
				for w := data.EndID; w < V; w++ { // never <pad> or <start>
					if w == data.EndID || step < maxLen {
						cands = append(cands, cand{b, w, hp.logp + float64(row[w])})
					}
				}
			}
			sort.SliceStable(cands, func(x, y int) bool { return cands[x].score > cands[y].score })
			var next []hyp
			for _, cd := range cands {
				if len(next) == K || len(done[i]) >= K {
					break
				}
				old := beams[i][cd.b]
				if cd.w == data.EndID {
					done[i] = append(done[i], hyp{ids: old.ids, alphas: old.alphas, logp: cd.score, ended: step < maxLen})
					continue
				}
				var a []float32 // copied: the tape's values are reused after Reset
				if alpha != nil {
					r := i*K + cd.b
					a = append([]float32(nil), alpha.Value.Data[r*L:(r+1)*L]...)
				}
				src[i*K+len(next)] = i*K + cd.b
				next = append(next, hyp{
					ids:    append(append([]int(nil), old.ids...), cd.w),
					alphas: append(append([][]float32(nil), old.alphas...), a),
					logp:   cd.score,
				})
			}
			for b := len(next); b < K; b++ {
				src[i*K+b] = i * K
			}
			beams[i] = next
			finished[i] = len(done[i]) >= K || len(next) == 0 || !opt.LengthNorm && len(done[i]) > 0 && best(done[i]) >= next[0].logp
		}
		all := true
		for _, f := range finished {
			all = all && f
		}
		if all {
			break
		}
		h, c = tp.IndexSelect(h, 0, src), tp.IndexSelect(c, 0, src)
	}
	out := make([]Caption, N)
	for i := range out {
		bi := 0
		for j := range done[i] {
			if done[i][j].score(opt.LengthNorm) > done[i][bi].score(opt.LengthNorm) {
				bi = j
			}
		}
		r := done[i][bi]
		cp := Caption{IDs: r.ids, LogProb: r.logp, Ended: r.ended, Tokens: make([]string, len(r.ids))}
		for k, id := range r.ids {
			cp.Tokens[k] = m.Vocab.Word(id)
		}
		if m.Cfg.Attention != AttnNone {
			cp.Alphas = r.alphas
		}
		out[i] = cp
	}
	return out
}

// best returns the highest log-probability among hypotheses.
func best(hs []hyp) float64 {
	b := math.Inf(-1)
	for _, h := range hs {
		b = max(b, h.logp)
	}
	return b
}
