package caption

import (
	"math"

	"github.com/attnkit/attn/pkg/data"
)

// ContentTally counts what captions of generated scenes get right about
// the scenes' content. Tallies of several captions add up with Add; the
// scores are micro-averages over everything added.
type ContentTally struct {
	Mentions      int // objects the captions name (ParsedCaption.Mentions)
	Objects       int // objects present in the scenes
	Matched       int // mentions matched one-to-one to a present object
	Relations     int // spatial relations the captions state
	RelationsTrue int // those that hold in the scene
}

// Add accumulates another tally.
func (t *ContentTally) Add(u ContentTally) {
	t.Mentions += u.Mentions
	t.Objects += u.Objects
	t.Matched += u.Matched
	t.Relations += u.Relations
	t.RelationsTrue += u.RelationsTrue
}

// ObjectF1 is the F1 of named objects against present ones,
// 2·Matched / (Mentions + Objects): precision Matched/Mentions and recall
// Matched/Objects, micro-averaged (counts summed over the corpus before
// dividing), so a scene with three digits weighs more than one with a
// single digit and a caption naming nothing still counts its misses. NaN
// when there is nothing to count.
func (t ContentTally) ObjectF1() float64 {
	if t.Mentions+t.Objects == 0 {
		return math.NaN()
	}
	return 2 * float64(t.Matched) / float64(t.Mentions+t.Objects)
}

// RelationAcc is the share of stated relations that hold in their scenes,
// NaN when no caption states one.
func (t ContentTally) RelationAcc() float64 {
	if t.Relations == 0 {
		return math.NaN()
	}
	return float64(t.RelationsTrue) / float64(t.Relations)
}

// SceneContent parses a caption with ParseSceneCaption and scores it
// against the objects of its scene on a size×size canvas.
//
// A mention fits an object when its digit is the object's and every
// attribute it states (colour, size) is the object's too; an unstated
// attribute is not held against it, since references leave attributes out
// as well ("a 3 above a blue 7"). Mentions are matched to objects
// one-to-one, as many as possible (a maximum bipartite matching), so naming
// an object twice counts the second mention as a false positive.
//
// A binary relation holds when some pair of distinct objects fitting its
// two mentions satisfies it, comparing box centres as the generator does:
// A left of B when A's centre x is smaller, above when its centre y is
// smaller (y grows downwards). A place holds when some object fitting the
// mention has its centre in that third of the canvas ("middle": in the
// middle third both ways). A relation naming an object that is not there
// is false.
//
// It returns the tally, the parse, and for each mention the index of the
// object it was matched to, or -1.
func SceneContent(toks []string, objs []data.Object, size int) (ContentTally, ParsedCaption, []int) {
	p := ParseSceneCaption(toks)
	match := MatchMentions(p.Mentions, objs)
	t := ContentTally{Mentions: len(p.Mentions), Objects: len(objs), Relations: len(p.Relations)}
	for _, o := range match {
		if o >= 0 {
			t.Matched++
		}
	}
	for _, r := range p.Relations {
		if relationHolds(r, p.Mentions, objs, size) {
			t.RelationsTrue++
		}
	}
	return t, p, match
}

// Fits reports whether mention m can describe object o: same digit, and
// every attribute m states equal to o's.
func (m Mention) Fits(o data.Object) bool {
	return m.Digit == o.Digit && (m.Colour == "" || m.Colour == o.Colour) && (m.Size == "" || m.Size == o.Size)
}

// MatchMentions pairs mentions with the objects they fit, one-to-one and
// as many pairs as possible (augmenting paths, mentions in caption order,
// so the result is deterministic). It returns each mention's object index,
// or -1.
func MatchMentions(ms []Mention, objs []data.Object) []int {
	ofObject := make([]int, len(objs)) // object → mention, or -1
	for i := range ofObject {
		ofObject[i] = -1
	}
	var augment func(m int, seen []bool) bool
	augment = func(m int, seen []bool) bool {
		for o := range objs {
			if seen[o] || !ms[m].Fits(objs[o]) {
				continue
			}
			seen[o] = true
			if ofObject[o] < 0 || augment(ofObject[o], seen) {
				ofObject[o] = m
				return true
			}
		}
		return false
	}
	for m := range ms {
		augment(m, make([]bool, len(objs)))
	}
	match := make([]int, len(ms))
	for i := range match {
		match[i] = -1
	}
	for o, m := range ofObject {
		if m >= 0 {
			match[m] = o
		}
	}
	return match
}

// relationHolds reports whether relation r is true of some objects that
// fit its mentions.
func relationHolds(r Relation, ms []Mention, objs []data.Object, size int) bool {
	for a, oa := range objs {
		if !ms[r.A].Fits(oa) {
			continue
		}
		if !r.Binary() {
			if placeHolds(r.Kind, oa, size) {
				return true
			}
			continue
		}
		for b, ob := range objs {
			if b != a && ms[r.B].Fits(ob) && binaryHolds(r.Kind, oa, ob) {
				return true
			}
		}
	}
	return false
}

func binaryHolds(kind string, a, b data.Object) bool {
	ax, ay := a.Box.Centre()
	bx, by := b.Box.Centre()
	switch kind {
	case LeftOf:
		return ax < bx
	case RightOf:
		return ax > bx
	case Above:
		return ay < by
	case Below:
		return ay > by
	}
	return false
}

// placeHolds uses the thirds of the canvas that data.GenerateScene's
// place words use.
func placeHolds(kind string, o data.Object, size int) bool {
	x, y := o.Box.Centre()
	third := float64(size) / 3
	switch kind {
	case PlaceLeft:
		return x < third
	case PlaceRight:
		return x > 2*third
	case PlaceTop:
		return y < third
	case PlaceBottom:
		return y > 2*third
	case PlaceMiddle:
		return x >= third && x <= 2*third && y >= third && y <= 2*third
	}
	return false
}
