package caption

import (
	"github.com/attnkit/attn/pkg/data"
)

// Mention is one digit a caption names, with the attributes it states.
type Mention struct {
	Digit  int    // 0–9
	Colour string // a data.Palette name, or "" when the caption does not say
	Size   string // data.SizeSmall or data.SizeLarge, or ""
	// Tokens are the indices of the caption tokens that name this object:
	// its digit and any colour or size word, as data.Scene.WordObjects marks
	// them in reference captions.
	Tokens []int
}

// Relation kinds a scene caption can state. The first four relate two
// mentions (A lies to the left of B, ...); the last five place one mention
// on the canvas ("a 3 on the left", "... at the top", "... in the middle").
const (
	LeftOf  = "left-of"
	RightOf = "right-of"
	Above   = "above"
	Below   = "below"

	PlaceLeft   = "left"
	PlaceRight  = "right"
	PlaceTop    = "top"
	PlaceBottom = "bottom"
	PlaceMiddle = "middle"
)

// Relation is one spatial statement of a caption.
type Relation struct {
	Kind string // LeftOf, RightOf, Above, Below or a Place kind
	A    int    // index of the subject in ParsedCaption.Mentions
	B    int    // index of the other mention for LeftOf..Below; -1 for a place
}

// Binary reports whether the relation links two mentions rather than
// placing one on the canvas.
func (r Relation) Binary() bool { return r.B >= 0 }

// ParsedCaption is what ParseSceneCaption reads from a caption.
type ParsedCaption struct {
	Mentions  []Mention
	Relations []Relation
}

// ParseSceneCaption reads the objects and spatial relations a caption in
// the grammar of data.GenerateScene states. It is tolerant, because it
// judges generated captions: unknown words are skipped, and whatever can be
// read is returned.
//
//   - A digit token names an object; the colour and size words directly
//     before it (in any order) are its attributes, and a colour right after
//     "in" that follows it ("the digit 3 in red") is its colour. Attribute
//     words not followed by a digit name nothing and are dropped.
//   - "left of", "right of", "above" and "below" relate the last mention
//     before them to the first one after; a relation missing either side
//     is dropped.
//   - "left", "right" (not followed by "of"), "top", "bottom" and "middle"
//     place the last mention before them; with none they are dropped.
func ParseSceneCaption(toks []string) ParsedCaption {
	var p ParsedCaption
	var colour, size string // pending attributes of the next digit
	var attrToks []int
	var waiting []int // binary relations still missing their B
	last := func() int { return len(p.Mentions) - 1 }
	place := func(kind string) {
		if last() >= 0 {
			p.Relations = append(p.Relations, Relation{Kind: kind, A: last(), B: -1})
		}
	}
	relate := func(kind string) {
		if last() >= 0 {
			p.Relations = append(p.Relations, Relation{Kind: kind, A: last(), B: -1})
			waiting = append(waiting, len(p.Relations)-1)
		}
	}
	for i, w := range toks {
		isAttr := false
		switch {
		case len(w) == 1 && w[0] >= '0' && w[0] <= '9':
			m := Mention{Digit: int(w[0] - '0'), Colour: colour, Size: size, Tokens: append(attrToks, i)}
			p.Mentions = append(p.Mentions, m)
			for _, r := range waiting {
				p.Relations[r].B = last()
			}
			waiting = nil
		case w == data.SizeSmall || w == data.SizeLarge:
			size, isAttr = w, true
			attrToks = append(attrToks, i)
		case isColour(w):
			if i > 0 && toks[i-1] == "in" && last() >= 0 && p.Mentions[last()].Colour == "" && colour == "" && size == "" {
				m := &p.Mentions[last()]
				m.Colour = w
				m.Tokens = append(m.Tokens, i)
				break
			}
			colour, isAttr = w, true
			attrToks = append(attrToks, i)
		case w == "left" || w == "right":
			kind := map[string][2]string{"left": {LeftOf, PlaceLeft}, "right": {RightOf, PlaceRight}}[w]
			if i+1 < len(toks) && toks[i+1] == "of" {
				relate(kind[0])
			} else {
				place(kind[1])
			}
		case w == "above":
			relate(Above)
		case w == "below":
			relate(Below)
		case w == "top":
			place(PlaceTop)
		case w == "bottom":
			place(PlaceBottom)
		case w == "middle":
			place(PlaceMiddle)
		}
		if !isAttr { // a digit consumed the attributes, any other word ends them
			colour, size, attrToks = "", "", nil
		}
	}
	// Relations still waiting for their second mention were cut off.
	kept := p.Relations[:0]
	for _, r := range p.Relations {
		if r.B >= 0 || !isBinaryKind(r.Kind) {
			kept = append(kept, r)
		}
	}
	p.Relations = kept
	return p
}

func isBinaryKind(kind string) bool {
	return kind == LeftOf || kind == RightOf || kind == Above || kind == Below
}

func isColour(w string) bool {
	for _, c := range data.Palette() {
		if c.Name == w {
			return true
		}
	}
	return false
}
