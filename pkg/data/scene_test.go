package data

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestGenerateScene(t *testing.T) {
	d := fakeDigits(30, 3)
	cfg := SceneConfig{Digits: d}
	words := map[string]bool{}
	for _, w := range SceneWords() {
		words[w] = true
	}
	colourOf := map[string]Colour{}
	for _, c := range Palette() {
		colourOf[c.Name] = c
	}
	rng := rand.New(rand.NewPCG(11, 12))
	counts := map[int]int{}
	relations := 0
	for i := 0; i < 300; i++ {
		sc, err := GenerateScene(rng, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := sc.Size
		if s != 64 || len(sc.Image) != 3*s*s {
			t.Fatalf("scene %d: size %d, %d values", i, s, len(sc.Image))
		}
		for _, v := range sc.Image {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("scene %d: value %v", i, v)
			}
		}
		counts[len(sc.Objects)]++
		for k, o := range sc.Objects {
			if !o.Square.Inside(s, s) || !o.Box.Empty() && (o.Box.X0 < o.Square.X0 || o.Box.Y0 < o.Square.Y0 || o.Box.X1 > o.Square.X1 || o.Box.Y1 > o.Square.Y1) {
				t.Fatalf("scene %d object %d: box %v square %v", i, k, o.Box, o.Square)
			}
			if o.Digit != d.Label(o.Source) || (o.Size == SizeLarge) != (o.Square.W() == 28) {
				t.Fatalf("scene %d object %d: %+v", i, k, o)
			}
			for j := range k {
				if o.Square.Overlaps(sc.Objects[j].Square) || o.Colour == sc.Objects[j].Colour {
					t.Fatalf("scene %d: objects %d and %d overlap or share a colour", i, j, k)
				}
			}
			// The brightest ink pixel of the object shows its colour.
			want := colourOf[o.Colour]
			src := scaleDigit(&d.Images[o.Source], o.Square.W())
			best := slices.Index(src, slices.Max(src))
			p := (o.Square.Y0+best/o.Square.W())*s + o.Square.X0 + best%o.Square.W()
			if slices.Max(src) == 255 && (sc.Image[p] != want.R || sc.Image[s*s+p] != want.G || sc.Image[2*s*s+p] != want.B) {
				t.Fatalf("scene %d object %d: pixel is not %s", i, k, o.Colour)
			}
		}
		if len(sc.Captions) != 5 || len(sc.WordObjects) != 5 || len(sc.WordBoxes) != 5 {
			t.Fatalf("scene %d: %d captions", i, len(sc.Captions))
		}
		for c, toks := range sc.Captions {
			refs, boxes := sc.WordObjects[c], sc.WordBoxes[c]
			if len(refs) != len(toks) || len(boxes) != len(toks) {
				t.Fatalf("scene %d caption %d: %d tokens, %d refs, %d boxes", i, c, len(toks), len(refs), len(boxes))
			}
			mentioned := make([]bool, len(sc.Objects))
			for ti, w := range toks {
				if !words[w] {
					t.Fatalf("scene %d: word %q not in SceneWords", i, w)
				}
				r := refs[ti]
				_, isDigit := strconv.Atoi(w)
				_, isColour := colourOf[w]
				isSize := w == SizeSmall || w == SizeLarge
				if (isDigit == nil || isColour || isSize) != (r >= 0) {
					t.Fatalf("scene %d caption %v: token %q refers to object %d", i, toks, w, r)
				}
				if r < 0 {
					if boxes[ti] != (Box{}) {
						t.Fatalf("scene %d: unreferenced token %q has box %v", i, w, boxes[ti])
					}
					continue
				}
				o := sc.Objects[r]
				if boxes[ti] != o.Box || (isDigit == nil && w != strconv.Itoa(o.Digit)) || (isColour && w != o.Colour) || (isSize && w != o.Size) {
					t.Fatalf("scene %d caption %v: token %q does not describe object %+v", i, toks, w, o)
				}
				if isDigit == nil {
					mentioned[r] = true
				}
				// Relations: "X to the left of Y" means X's centre is left of Y's.
				if w == "left" || w == "right" || w == "above" || w == "below" {
					t.Fatalf("relation word %q names object %d", w, r)
				}
			}
			for k, m := range mentioned {
				if !m {
					t.Fatalf("scene %d caption %v omits object %d", i, toks, k)
				}
			}
			relations += checkRelations(t, sc, c)
		}
	}
	for n := 1; n <= 3; n++ {
		if counts[n] < 40 {
			t.Fatalf("object counts %v", counts)
		}
	}
	if relations < 50 {
		t.Fatalf("only %d relations checked", relations)
	}
}

// checkRelations verifies each spatial relation in caption c between the
// digit before it and the digit after it; it returns how many it checked.
func checkRelations(t *testing.T, sc Scene, c int) int {
	t.Helper()
	toks, refs := sc.Captions[c], sc.WordObjects[c]
	digitRef := func(from, step int) int {
		for i := from; i >= 0 && i < len(toks); i += step {
			if _, err := strconv.Atoi(toks[i]); err == nil {
				return refs[i]
			}
		}
		return -1
	}
	n := 0
	for i, w := range toks {
		var ok func(ax, ay, bx, by float64) bool
		switch {
		case w == "left" && i > 0 && toks[i-1] == "the" && i+1 < len(toks) && toks[i+1] == "of":
			ok = func(ax, ay, bx, by float64) bool { return ax < bx }
		case w == "right" && i+1 < len(toks) && toks[i+1] == "of":
			ok = func(ax, ay, bx, by float64) bool { return ax > bx }
		case w == "above":
			ok = func(ax, ay, bx, by float64) bool { return ay < by }
		case w == "below":
			ok = func(ax, ay, bx, by float64) bool { return ay > by }
		default:
			continue
		}
		a, b := digitRef(i, -1), digitRef(i, 1)
		ax, ay := sc.Objects[a].Box.Centre()
		bx, by := sc.Objects[b].Box.Centre()
		if !ok(ax, ay, bx, by) {
			t.Fatalf("caption %v: relation %q false for boxes %v and %v", toks, w, sc.Objects[a].Box, sc.Objects[b].Box)
		}
		n++
	}
	return n
}

func TestGenerateSceneDeterministic(t *testing.T) {
	cfg := SceneConfig{Digits: fakeDigits(20, 5), MaxDigits: 2, Captions: 3}
	a, _ := GenerateScene(rand.New(rand.NewPCG(1, 1)), cfg)
	b, _ := GenerateScene(rand.New(rand.NewPCG(1, 1)), cfg)
	c, _ := GenerateScene(rand.New(rand.NewPCG(1, 2)), cfg)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Fatal("scenes are not a function of the seed")
	}
	if len(a.Objects) > 2 || len(a.Captions) != 3 {
		t.Fatalf("config ignored: %d objects, %d captions", len(a.Objects), len(a.Captions))
	}
}

func TestSceneConfigErrors(t *testing.T) {
	d := fakeDigits(3, 1)
	for _, cfg := range []SceneConfig{
		{},
		{Digits: d, MinDigits: 3, MaxDigits: 2},
		{Digits: d, MaxDigits: 4},
		{Digits: d, Size: 40},
		{Digits: d, SmallSide: 30},
		{Digits: d, Captions: -1},
	} {
		if _, err := GenerateScene(rand.New(rand.NewPCG(1, 1)), cfg); err == nil {
			t.Fatalf("config %+v accepted", cfg)
		}
	}
}

func TestScaleDigit(t *testing.T) {
	var src [DigitPixels]uint8
	src[0], src[1], src[DigitSize], src[DigitSize+1] = 100, 200, 0, 100 // mean 100
	src[DigitPixels-1] = 255
	out := scaleDigit(&src, 14)
	if len(out) != 14*14 || out[0] != 100 || out[14*14-1] != 64 {
		t.Fatalf("scaled %v ... %v", out[0], out[len(out)-1])
	}
}

func TestVocab(t *testing.T) {
	v := BuildVocab([][]string{SceneWords()}, 1)
	if v.Len() != len(SceneWords())+4 || v.Word(PadID) != PadToken || v.ID(StartToken) != StartID || v.ID(EndToken) != EndID || v.ID(UnkToken) != UnkID {
		t.Fatalf("vocab %v", v.Words)
	}
	sc, _ := GenerateScene(rand.New(rand.NewPCG(2, 2)), SceneConfig{Digits: fakeDigits(10, 2)})
	for _, c := range sc.Captions {
		ids := v.Encode(c)
		if ids[0] != StartID || ids[len(ids)-1] != EndID {
			t.Fatalf("encoded %v", ids)
		}
		padded := append(ids, PadID, PadID)
		if got := v.Decode(padded); !slices.Equal(got, c) {
			t.Fatalf("round trip %v → %v", c, got)
		}
	}
	if got := v.Decode(v.Encode([]string{"a", "zebra"})); !slices.Equal(got, []string{"a", UnkToken}) {
		t.Fatalf("unknown word decoded as %v", got)
	}
	if v.Word(-1) != UnkToken || v.Word(v.Len()) != UnkToken {
		t.Fatal("out-of-range ids")
	}

	// Frequency order, ties alphabetical, minCount, specials never duplicated.
	f := BuildVocab([][]string{{"b", "a", "c", "a"}, {"b", "a", "d", "<end>"}}, 2)
	if !slices.Equal(f.Words, []string{PadToken, StartToken, EndToken, UnkToken, "a", "b"}) {
		t.Fatalf("words %v", f.Words)
	}
	g, err := NewVocab(f.Words)
	if err != nil || !reflect.DeepEqual(g, f) {
		t.Fatalf("NewVocab round trip: %v", err)
	}
	for _, bad := range [][]string{{"<pad>"}, {"<start>", "<pad>", "<end>", "<unk>"}, {PadToken, StartToken, EndToken, UnkToken, "a", "a"}} {
		if _, err := NewVocab(bad); err == nil {
			t.Fatalf("NewVocab(%v) accepted", bad)
		}
	}
}
