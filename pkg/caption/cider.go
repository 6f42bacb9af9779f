package caption

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// CIDErSigma is the standard deviation, in tokens, of CIDEr-D's Gaussian
// length penalty.
const CIDErSigma = 6.0

// CIDErD returns the CIDEr-D score of a corpus (Vedantam, Zitnick and
// Parikh, CVPR 2015; the "CIDEr" of the COCO caption evaluation): its mean
// over images and each image's score. cands[i] is the generated caption of
// image i and refs[i] its reference captions, as tokens.
//
// As in the COCO evaluation:
//
//   - each sentence becomes, for n = 1..4, a vector of TF-IDF weights
//     g_k = tf_k · (log N − log max(1, df_k)), where N is the number of
//     images of the corpus and df_k the number of images whose references
//     contain n-gram k (so the IDF comes from the evaluated references
//     themselves; an n-gram in no reference gets the full log N);
//   - the candidate's weights are clipped by the reference's,
//     Σ_k min(g_k(c), g_k(r)) · g_k(r), and divided by both vectors' norms
//     (a zero norm leaves 0);
//   - that similarity is multiplied by exp(−δ²/(2σ²)), σ = CIDErSigma, where
//     δ is the difference in length of candidate and reference. COCO
//     counts a sentence's length as its number of bigrams, max(0, words−1),
//     and so does this function: δ is the difference in words except when
//     one sentence is empty;
//   - per image: the mean over the references, then the mean over n = 1..4,
//     times 10.
//
// With a single image every weight is 0 (log 1 − log 1), so the score is 0,
// as in COCO's code. It fails when the slices differ in length or an image
// has no reference; an empty corpus scores 0.
func CIDErD(cands [][]string, refs [][][]string) (float64, []float64, error) {
	if len(cands) != len(refs) {
		return 0, nil, fmt.Errorf("cider: %d candidates, %d reference sets", len(cands), len(refs))
	}
	if len(cands) == 0 {
		return 0, nil, nil
	}
	refCounts := make([][][maxOrder]map[string]int, len(refs))
	df := map[string]int{} // n-gram → images whose references hold it (an n-gram's key has n−1 separators, so orders never collide)
	for i, rs := range refs {
		if len(rs) == 0 {
			return 0, nil, fmt.Errorf("cider: image %d has no reference", i)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			c := ngramCounts(r)
			refCounts[i] = append(refCounts[i], c)
			for k := range c {
				for g := range c[k] {
					if !seen[g] {
						seen[g] = true
						df[g]++
					}
				}
			}
		}
	}
	logN := math.Log(float64(len(refs)))
	scores := make([]float64, len(cands))
	sum := 0.0
	for i, cand := range cands {
		cv := tfidf(ngramCounts(cand), df, logN)
		var perOrder [maxOrder]float64
		for _, rc := range refCounts[i] {
			rv := tfidf(rc, df, logN)
			delta := float64(cv.length - rv.length)
			penalty := math.Exp(-delta * delta / (2 * CIDErSigma * CIDErSigma))
			for k := range perOrder {
				dot := 0.0
				for _, g := range cv.grams[k] {
					w, wr := cv.weights[k][g], rv.weights[k][g]
					dot += min(w, wr) * wr
				}
				if cv.norm[k] != 0 && rv.norm[k] != 0 {
					dot /= cv.norm[k] * rv.norm[k]
				}
				perOrder[k] += dot * penalty
			}
		}
		s := 0.0
		for _, v := range perOrder {
			s += v
		}
		scores[i] = 10 * s / maxOrder / float64(len(refs[i]))
		sum += scores[i]
	}
	return sum / float64(len(cands)), scores, nil
}

// tfidfVector is one sentence's CIDEr-D representation.
type tfidfVector struct {
	weights [maxOrder]map[string]float64
	// grams lists each order's n-grams sorted, the order every sum over
	// them runs in: Go's map order is random, and a float sum's last bits
	// depend on its order, so without it one corpus could score
	// differently from run to run.
	grams  [maxOrder][]string
	norm   [maxOrder]float64
	length int // bigram count, COCO's sentence length
}

func tfidf(counts [maxOrder]map[string]int, df map[string]int, logN float64) tfidfVector {
	var v tfidfVector
	for k, m := range counts {
		v.weights[k] = make(map[string]float64, len(m))
		v.grams[k] = slices.Sorted(maps.Keys(m))
		sq := 0.0
		for _, g := range v.grams[k] {
			tf := m[g]
			w := float64(tf) * (logN - math.Log(float64(max(1, df[g]))))
			v.weights[k][g] = w
			sq += w * w
			if k == 1 {
				v.length += tf
			}
		}
		v.norm[k] = math.Sqrt(sq)
	}
	return v
}
