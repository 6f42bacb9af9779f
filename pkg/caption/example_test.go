package caption_test

import (
	"fmt"
	"strings"

	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/data"
)

func ExampleBLEU() {
	cands := [][]string{strings.Fields("a red 3 above a blue 7")}
	refs := [][][]string{{strings.Fields("a red 3 above a large blue 7"), strings.Fields("a 3 above a 7")}}
	b, err := caption.BLEU(cands, refs)
	if err != nil {
		panic(err)
	}
	// Every word matches, but the closest reference has 8 words to the
	// candidate's 7: brevity penalty exp(1 − 8/7) = 0.867. The n-gram
	// precisions are 1, 5/6, 3/5 and 2/4, so BLEU-4 = 0.867 · (1/4)^(1/4).
	fmt.Printf("BLEU-1 %.3f BLEU-4 %.3f\n", b[0], b[3])
	// Output: BLEU-1 0.867 BLEU-4 0.613
}

func ExampleSceneContent() {
	objs := []data.Object{
		{Digit: 3, Colour: "red", Size: data.SizeLarge, Box: data.Box{X0: 4, Y0: 4, X1: 28, Y1: 28}},
		{Digit: 7, Colour: "blue", Size: data.SizeSmall, Box: data.Box{X0: 40, Y0: 40, X1: 52, Y1: 52}},
	}
	t, p, _ := caption.SceneContent(strings.Fields("a green 3 below a blue 7"), objs, 64)
	fmt.Printf("%d mentions, %d matched: object F1 %.2f\n", t.Mentions, t.Matched, t.ObjectF1())
	fmt.Printf("%v: %d of %d relations true\n", p.Relations, t.RelationsTrue, t.Relations)
	// Output:
	// 2 mentions, 1 matched: object F1 0.50
	// [{below 0 1}]: 0 of 1 relations true
}
