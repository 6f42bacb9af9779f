package caption

import (
	"math"
	"strings"
	"testing"
)

// toks splits a space-separated sentence into tokens.
func toks(s string) []string { return strings.Fields(s) }

func TestCIDErDHandComputed(t *testing.T) {
	// In all cases below N = 2 images, so log N = ln 2 = L, and every
	// n-gram that occurs in the references of one image only, or in none,
	// weighs tf·L (df = 1 gives ln 2 − ln 1; df = 0 gives ln 2 − ln max(1, 0)).
	pen1 := math.Exp(-1.0 / 72) // Gaussian penalty for a length difference of 1: exp(−1/(2·6²))
	tests := []struct {
		name      string
		cands     []string
		refs      [][]string
		perImage  []float64
		tolerance float64
	}{
		{
			// Image 1, 4 words, candidate = reference: every n-gram has df 1,
			// so each of the 4 orders has cosine 1 and δ = 0:
			// 10 · (1+1+1+1)/4 / 1 ref = 10.
			// Image 2: "x" shares nothing with "e f" (order 1: 0); the
			// candidate has no bigram, so orders 2–4 have a zero norm: 0.
			// Corpus mean (10 + 0)/2 = 5.
			name:     "identical 4-word caption and a miss",
			cands:    []string{"a b c d", "x"},
			refs:     [][]string{{"a b c d"}, {"e f"}},
			perImage: []float64{10, 0},
		},
		{
			// Candidate identical to both references of image 1 and to the
			// one of image 2, 2-word sentences. Orders 1 and 2 have cosine
			// 1 against each reference; orders 3 and 4 are empty (zero norm,
			// 0). Image 1: per-order sums over 2 refs [2, 2, 0, 0], mean over
			// n 1, over refs 0.5, ×10 = 5. Image 2: [1, 1, 0, 0] → 0.5 → 5.
			name:     "identical 2-word captions",
			cands:    []string{"a b", "c d"},
			refs:     [][]string{{"a b", "a b"}, {"c d"}},
			perImage: []float64{5, 5},
		},
		{
			// "a" is in both images' references: df 2, weight ln 2 − ln 2 = 0,
			// so it neither helps nor hurts. Image 1 order 1: hyp and ref
			// {a: 0, b: L}, dot L², norms L·L → 1; order 2 {"a b": L} → 1;
			// orders 3–4: 0. 10 · 2/4 = 5; image 2 likewise.
			name:     "a word in every image weighs nothing",
			cands:    []string{"a b", "a c"},
			refs:     [][]string{{"a b"}, {"a c"}},
			perImage: []float64{5, 5},
		},
		{
			// Partial match. Image 1: C = "a b e", R1 = "a b c", R2 = "a d";
			// every n-gram weighs L, so each order's cosine is
			// shared / sqrt(|C_n|·|R_n|) and clipping changes nothing.
			//   C vs R1 (2 bigrams each, δ = 0): order 1 {a, b}: 2/√(3·3) = 2/3;
			//     order 2 {"a b"}: 1/√(2·2) = 1/2; order 3: "a b e" ≠ "a b c": 0.
			//   C vs R2 (2 vs 1 bigram, δ = 1): order 1 {a}: 1/√(3·2) = 1/√6,
			//     times pen1; order 2: nothing shared; order 3: R2 has none.
			//   Sum over n and refs: 2/3 + 1/2 + pen1/√6 = 1.5692840;
			//   / 4 orders / 2 refs × 10 = 1.25 · 1.5692840 = 1.9616050.
			// Image 2 as in the case above: 5. Corpus mean 3.4808025 (pen1 = 0.9862071).
			name:     "partial match with a length penalty",
			cands:    []string{"a b e", "f g"},
			refs:     [][]string{{"a b c", "a d"}, {"f g"}},
			perImage: []float64{1.25 * (2.0/3 + 0.5 + pen1/math.Sqrt(6)), 5},
		},
		{
			// Clipping. Image 1: C = "a a a", R = "a b". Weights: C {a: 3L},
			// {"a a": 2L}, {"a a a": L}; R {a: L, b: L}, {"a b": L}.
			// Order 1: min(3L, L)·L = L², over norms 3L·√2L → 1/(3√2);
			// δ = 2 − 1 bigrams = 1 → × pen1. Orders 2–3: nothing shared.
			// 10 · pen1/(3√2) / 4 = 2.5 · 0.2357023 · 0.9862071 = 0.5811281.
			// Without clipping order 1 would be 3L²/(3L·√2L) = 1/√2.
			// Image 2: "c" vs "c": order 1 cosine 1, rest 0: 10/4 = 2.5.
			name:     "clipped repeated word",
			cands:    []string{"a a a", "c"},
			refs:     [][]string{{"a b"}, {"c"}},
			perImage: []float64{2.5 * pen1 / (3 * math.Sqrt2), 2.5},
		},
	}
	for _, tc := range tests {
		cands := make([][]string, len(tc.cands))
		refs := make([][][]string, len(tc.refs))
		for i := range tc.cands {
			cands[i] = toks(tc.cands[i])
			for _, r := range tc.refs[i] {
				refs[i] = append(refs[i], toks(r))
			}
		}
		mean, per, err := CIDErD(cands, refs)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := 0.0
		for i, w := range tc.perImage {
			want += w / float64(len(tc.perImage))
			if math.Abs(per[i]-w) > 1e-12 {
				t.Errorf("%s: image %d scores %.9f, want %.9f", tc.name, i, per[i], w)
			}
		}
		if math.Abs(mean-want) > 1e-12 {
			t.Errorf("%s: corpus %.9f, want %.9f", tc.name, mean, want)
		}
	}
	// The decimals quoted in the comments above.
	if v := 1.25 * (2.0/3 + 0.5 + pen1/math.Sqrt(6)); math.Abs(v-1.9616050) > 1e-7 {
		t.Errorf("partial match arithmetic: %.7f", v)
	}
	if v := 2.5 * pen1 / (3 * math.Sqrt2); math.Abs(v-0.5811281) > 1e-7 {
		t.Errorf("clipping arithmetic: %.7f", v)
	}
}

func TestCIDErDEdgeCases(t *testing.T) {
	// One image: log N = 0 and every reference n-gram has df 1, so every
	// weight is 0 and so is the score, as in COCO's code.
	if m, _, err := CIDErD([][]string{toks("a b")}, [][][]string{{toks("a b")}}); err != nil || m != 0 {
		t.Errorf("single image: %v, %v", m, err)
	}
	if m, per, err := CIDErD(nil, nil); err != nil || m != 0 || per != nil {
		t.Errorf("empty corpus: %v %v %v", m, per, err)
	}
	if _, _, err := CIDErD([][]string{{"a"}}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, _, err := CIDErD([][]string{{"a"}, {"b"}}, [][][]string{{{"a"}}, {}}); err == nil {
		t.Error("image without references accepted")
	}
	// An empty candidate scores 0 without NaN.
	m, _, err := CIDErD([][]string{{}, toks("c d")}, [][][]string{{toks("a b")}, {toks("c d")}})
	if err != nil || math.IsNaN(m) || math.Abs(m-2.5) > 1e-12 {
		t.Errorf("empty candidate: %v, %v", m, err)
	}
}
