package caption

import "strings"

// maxOrder is the longest n-gram BLEU-4 and CIDEr-D count.
const maxOrder = 4

// ngramSep joins the tokens of an n-gram into a map key. Tokens are
// words, so a control character cannot be part of one.
const ngramSep = "\x1f"

// ngramCounts returns, for n = 1..maxOrder, how often each n-gram of toks
// occurs: counts[n-1][key].
func ngramCounts(toks []string) [maxOrder]map[string]int {
	var counts [maxOrder]map[string]int
	for n := 1; n <= maxOrder; n++ {
		m := map[string]int{}
		for i := 0; i+n <= len(toks); i++ {
			m[strings.Join(toks[i:i+n], ngramSep)]++
		}
		counts[n-1] = m
	}
	return counts
}
