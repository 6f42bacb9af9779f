package caption

// The NLTK fixtures TestBLEUMatchesNLTK checks against (needs python3-nltk).
//go:generate /usr/bin/python3 ../../bench/caption_fixtures/bleu_fixtures.py ../../testdata/caption/bleu_fixtures.json

import (
	"fmt"
	"math"
)

// BLEU returns corpus-level BLEU-1..4 (Papineni, Roukos, Ward and Zhu,
// ACL 2002) on the 0–1 scale: cands[i] is the generated caption of image i
// and refs[i] its reference captions, all as tokens.
//
// It follows NLTK's corpus_bleu without smoothing, the usual way captioning
// papers (Show, Attend and Tell among them) compute BLEU:
//
//   - modified precision p_n: every candidate n-gram counts at most as often
//     as it occurs in the one reference that holds it most; the clipped
//     counts and the candidate n-gram counts are summed over the corpus
//     before dividing (micro average). Like NLTK, a candidate with no
//     n-gram of order n (shorter than n words) still adds 1 to that order's
//     denominator;
//   - brevity penalty BP = exp(1 − r/c) when c ≤ r, else 1, with c the total
//     candidate length and r the sum over images of the reference length
//     closest to the candidate's (a tie goes to the shorter reference);
//     BP = 0 when every candidate is empty;
//   - BLEU-n = BP · exp(Σ_{k≤n} log(p_k) / n), the geometric mean of p_1..p_n
//     with uniform weights.
//
// BLEU-n is 0 when some p_k, k ≤ n, has no match. NLTK returns exactly 0
// when p_1 has none; for a higher order it substitutes the smallest normal
// float64 for that precision and so returns a number below 1e-76, which
// this function reports as 0.
//
// It fails when the slices differ in length or an image has no reference.
func BLEU(cands [][]string, refs [][][]string) ([4]float64, error) {
	var scores [4]float64
	if len(cands) != len(refs) {
		return scores, fmt.Errorf("bleu: %d candidates, %d reference sets", len(cands), len(refs))
	}
	var match, total [maxOrder]int // clipped matches and candidate n-grams per order
	candLen, refLen := 0, 0
	for i, cand := range cands {
		if len(refs[i]) == 0 {
			return scores, fmt.Errorf("bleu: image %d has no reference", i)
		}
		cc := ngramCounts(cand)
		var best [maxOrder]map[string]int // per n-gram, its largest count in one reference
		for k := range best {
			best[k] = map[string]int{}
		}
		for _, r := range refs[i] {
			rc := ngramCounts(r)
			for k := range rc {
				for g, c := range rc[k] {
					if cc[k][g] > 0 && c > best[k][g] {
						best[k][g] = c
					}
				}
			}
		}
		for k := range cc {
			n := 0
			for g, c := range cc[k] {
				match[k] += min(c, best[k][g])
				n += c
			}
			total[k] += max(1, n) // NLTK's denominator is never 0
		}
		candLen += len(cand)
		refLen += closestRefLen(refs[i], len(cand))
	}
	if match[0] == 0 {
		return scores, nil
	}
	bp := brevityPenalty(refLen, candLen)
	for n := 1; n <= maxOrder; n++ {
		sum := 0.0
		for k := 0; k < n; k++ {
			if match[k] == 0 {
				sum = math.Inf(-1)
				break
			}
			sum += math.Log(float64(match[k])/float64(total[k])) / float64(n)
		}
		scores[n-1] = bp * math.Exp(sum)
	}
	return scores, nil
}

// closestRefLen returns the length of the reference closest in length to
// a candidate of candLen tokens, the shorter one on a tie.
func closestRefLen(refs [][]string, candLen int) int {
	best := len(refs[0])
	for _, r := range refs[1:] {
		d, bd := abs(len(r)-candLen), abs(best-candLen)
		if d < bd || d == bd && len(r) < best {
			best = len(r)
		}
	}
	return best
}

// brevityPenalty is BLEU's penalty for a corpus of candLen candidate tokens
// against refLen closest-reference tokens.
func brevityPenalty(refLen, candLen int) float64 {
	switch {
	case candLen > refLen:
		return 1
	case candLen == 0:
		return 0
	}
	return math.Exp(1 - float64(refLen)/float64(candLen))
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
