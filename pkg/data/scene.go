package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Colour is one named digit colour of the captioned scenes.
type Colour struct {
	Name    string
	R, G, B float32
}

// palette holds colours that stay distinguishable on a dark background and
// after the encoder's downsampling.
var palette = [...]Colour{
	{"red", 1, 0.15, 0.15},
	{"green", 0.2, 0.9, 0.2},
	{"blue", 0.25, 0.4, 1},
	{"yellow", 1, 0.9, 0.1},
	{"white", 1, 1, 1},
	{"purple", 0.7, 0.25, 1},
}

// Palette returns the named colours scenes draw digits in.
func Palette() []Colour { return slices.Clone(palette[:]) }

// Digit size names used in scenes and captions.
const (
	SizeSmall = "small"
	SizeLarge = "large"
)

// SceneConfig sets up GenerateScene. Zero fields take the defaults noted.
type SceneConfig struct {
	Digits    *Digits // source digits (required)
	Size      int     // canvas side; default 64
	MinDigits int     // default 1
	MaxDigits int     // default 3
	Captions  int     // reference sentences per scene; default 5
	SmallSide int     // side of a small digit; default 14
	LargeSide int     // side of a large digit; default 28
}

func (c SceneConfig) withDefaults() SceneConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Size, 64)
	def(&c.MinDigits, 1)
	def(&c.MaxDigits, 3)
	def(&c.Captions, 5)
	def(&c.SmallSide, 14)
	def(&c.LargeSide, 28)
	return c
}

// Validate reports whether scenes can be generated with c (after defaults).
func (c SceneConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Digits == nil || c.Digits.Len() == 0:
		return fmt.Errorf("scene config: no digits")
	case c.MinDigits < 1 || c.MaxDigits < c.MinDigits || c.MaxDigits > 3:
		return fmt.Errorf("scene config: %d–%d digits, want 1 ≤ min ≤ max ≤ 3", c.MinDigits, c.MaxDigits)
	case c.SmallSide < 4 || c.LargeSide < c.SmallSide:
		return fmt.Errorf("scene config: digit sides %d and %d, want 4 ≤ small ≤ large", c.SmallSide, c.LargeSide)
	case c.Size < 2*c.LargeSide:
		return fmt.Errorf("scene config: a %d canvas cannot hold two %d-pixel digits", c.Size, c.LargeSide)
	case c.Captions < 1:
		return fmt.Errorf("scene config: %d captions", c.Captions)
	}
	return nil
}

// Object is one digit drawn in a scene.
type Object struct {
	Digit  int    // 0–9
	Colour string // a Palette name
	Size   string // SizeSmall or SizeLarge
	Square Box    // where the scaled digit image was drawn
	Box    Box    // tight box around its ink, what its words refer to
	Source int    // index of the digit in SceneConfig.Digits
}

// Scene is one captioned image.
type Scene struct {
	Size    int       // canvas side (H = W)
	Image   []float32 // [3][Size][Size] planar RGB in [0, 1]
	Objects []Object
	// Captions are reference sentences as tokens; every one mentions every
	// object's digit.
	Captions [][]string
	// WordObjects[c][t] is the object that token t of caption c names (its
	// digit, colour or size word), or -1.
	WordObjects [][]int
	// WordBoxes[c][t] is that object's Box, or the empty Box.
	WordBoxes [][]Box
}

// GenerateScene draws 1–3 coloured digits of two sizes, without overlap,
// on a dark background, and writes reference captions for them from a
// small grammar of digits, colours, sizes and spatial relations ("a red 3
// above a large blue 7", "a small green 1 on the left", "two digits : ...").
// Digits within a scene have distinct colours. On a crowded canvas a large
// digit may be drawn small, or (rarely) a digit dropped, rather than overlap.
//
// A scene is a pure function of rng's state: pass SampleRNG(seed, i) to make
// scene i of a dataset reproducible on its own; take cfg.Digits from
// LoadMNIST("train55k") for training and LoadMNIST("test") for evaluation.
func GenerateScene(rng *rand.Rand, cfg SceneConfig) (Scene, error) {
	if err := cfg.Validate(); err != nil {
		return Scene{}, err
	}
	cfg = cfg.withDefaults()
	s := cfg.Size
	n := cfg.MinDigits + rng.IntN(cfg.MaxDigits-cfg.MinDigits+1)
	colours := rng.Perm(len(palette))[:n] // distinct colours keep captions unambiguous

	var objs []Object
	var placed []Box
	for k := 0; k < n; k++ {
		size := SizeSmall
		if rng.IntN(2) == 1 {
			size = SizeLarge
		}
		sq, ok := placeSquare(rng, s, sideOf(cfg, size), placed)
		if !ok && size == SizeLarge {
			size = SizeSmall // the canvas is crowded: try smaller
			sq, ok = placeSquare(rng, s, cfg.SmallSide, placed)
		}
		if !ok {
			break // fewer digits rather than overlapping ones
		}
		src := rng.IntN(cfg.Digits.Len())
		placed = append(placed, sq)
		objs = append(objs, Object{Digit: cfg.Digits.Label(src), Colour: palette[colours[k]].Name, Size: size, Square: sq, Source: src})
	}

	img := make([]float32, 3*s*s)
	var bg [3]float32
	for c := range bg {
		bg[c] = 0.12 * rng.Float32()
		for i := c * s * s; i < (c+1)*s*s; i++ {
			img[i] = bg[c]
		}
	}
	for k := range objs {
		o := &objs[k]
		side := o.Square.W()
		digit := scaleDigit(&cfg.Digits.Images[o.Source], side)
		o.Box = inkBox(digit, side, 0).Translate(o.Square.X0, o.Square.Y0)
		col := palette[colours[k]]
		rgb := [3]float32{col.R, col.G, col.B}
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				v := float32(digit[y*side+x]) / 255
				if v == 0 {
					continue
				}
				p := (o.Square.Y0+y)*s + o.Square.X0 + x
				for c := range rgb {
					// Alpha-blend by ink intensity so anti-aliased edges fade
					// into the background instead of a dark fringe.
					img[c*s*s+p] = bg[c]*(1-v) + rgb[c]*v
				}
			}
		}
	}

	sc := Scene{Size: s, Image: img, Objects: objs}
	seen := map[string]bool{}
	for tries := 0; len(sc.Captions) < cfg.Captions; tries++ {
		toks, refs := describe(rng, objs, s)
		key := fmt.Sprint(toks)
		// Prefer distinct references, but small scenes have few sentences:
		// after enough tries repeats are allowed.
		if seen[key] && tries < 20*cfg.Captions {
			continue
		}
		seen[key] = true
		boxes := make([]Box, len(refs))
		for t, r := range refs {
			if r >= 0 {
				boxes[t] = objs[r].Box
			}
		}
		sc.Captions = append(sc.Captions, toks)
		sc.WordObjects = append(sc.WordObjects, refs)
		sc.WordBoxes = append(sc.WordBoxes, boxes)
	}
	return sc, nil
}

func sideOf(cfg SceneConfig, size string) int {
	if size == SizeLarge {
		return cfg.LargeSide
	}
	return cfg.SmallSide
}

// placeSquare draws a side×side square inside the canvas that overlaps none
// of the placed ones, by rejection sampling.
func placeSquare(rng *rand.Rand, canvas, side int, placed []Box) (Box, bool) {
	for try := 0; try < 100; try++ {
		x, y := rng.IntN(canvas-side+1), rng.IntN(canvas-side+1)
		b := Box{x, y, x + side, y + side}
		free := true
		for _, p := range placed {
			if b.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return b, true
		}
	}
	return Box{}, false
}

// scaleDigit resamples a 28×28 digit to side×side by averaging the source
// pixels each output pixel covers (exact 2×2 means for 14).
func scaleDigit(src *[DigitPixels]uint8, side int) []uint8 {
	out := make([]uint8, side*side)
	if side == DigitSize {
		copy(out, src[:])
		return out
	}
	span := func(i int) (lo, hi int) {
		lo, hi = i*DigitSize/side, (i+1)*DigitSize/side
		return lo, max(hi, lo+1)
	}
	for y := 0; y < side; y++ {
		y0, y1 := span(y)
		for x := 0; x < side; x++ {
			x0, x1 := span(x)
			sum, cnt := 0, 0
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					sum += int(src[sy*DigitSize+sx])
					cnt++
				}
			}
			out[y*side+x] = uint8((sum + cnt/2) / cnt)
		}
	}
	return out
}

// caption accumulates tokens and, for each, the object it names.
type caption struct {
	toks []string
	refs []int
}

func (c *caption) word(ws ...string) {
	for _, w := range ws {
		c.toks = append(c.toks, w)
		c.refs = append(c.refs, -1)
	}
}

func (c *caption) ref(obj int, w string) {
	c.toks = append(c.toks, w)
	c.refs = append(c.refs, obj)
}

// np appends a noun phrase for object k: "a [size] [colour] D", with the
// attributes chosen at random so references vary.
func (c *caption) np(rng *rand.Rand, objs []Object, k int) {
	o := objs[k]
	c.word("a")
	switch rng.IntN(4) {
	case 0:
		c.ref(k, o.Size)
		c.ref(k, o.Colour)
	case 1:
		c.ref(k, o.Colour)
	case 2:
		c.ref(k, o.Size)
	case 3:
		// bare digit
	}
	c.ref(k, strconv.Itoa(o.Digit))
}

// relation returns how a lies relative to b along the axis on which their
// centres differ most: "to the left of", "to the right of", "above" or
// "below" (image y grows downwards).
func relation(a, b Object) []string {
	ax, ay := a.Box.Centre()
	bx, by := b.Box.Centre()
	dx, dy := bx-ax, by-ay
	if abs(dx) >= abs(dy) {
		if dx > 0 {
			return []string{"to", "the", "left", "of"}
		}
		return []string{"to", "the", "right", "of"}
	}
	if dy > 0 {
		return []string{"above"}
	}
	return []string{"below"}
}

// placeWords returns where an object lies on the canvas: "on the left",
// "at the top", ... or "in the middle", picking one of the applicable ones.
func placeWords(rng *rand.Rand, o Object, size int) []string {
	x, y := o.Box.Centre()
	third := float64(size) / 3
	var opts [][]string
	if x < third {
		opts = append(opts, []string{"on", "the", "left"})
	} else if x > 2*third {
		opts = append(opts, []string{"on", "the", "right"})
	}
	if y < third {
		opts = append(opts, []string{"at", "the", "top"})
	} else if y > 2*third {
		opts = append(opts, []string{"at", "the", "bottom"})
	}
	if len(opts) == 0 {
		return []string{"in", "the", "middle"}
	}
	return opts[rng.IntN(len(opts))]
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

var countWords = [...]string{"", "one", "two", "three"}

// describe writes one reference sentence for the objects.
func describe(rng *rand.Rand, objs []Object, size int) ([]string, []int) {
	var c caption
	order := rng.Perm(len(objs))
	switch len(objs) {
	case 0:
		c.word("an", "empty", "picture")
	case 1:
		k := order[0]
		switch rng.IntN(4) {
		case 0:
			c.np(rng, objs, k)
		case 1:
			c.np(rng, objs, k)
			c.word(placeWords(rng, objs[k], size)...)
		case 2:
			c.word("the", "digit")
			c.ref(k, strconv.Itoa(objs[k].Digit))
			c.word("in")
			c.ref(k, objs[k].Colour)
		case 3:
			c.word("one", "digit", ":")
			c.np(rng, objs, k)
			c.word(placeWords(rng, objs[k], size)...)
		}
	default:
		a, b := order[0], order[1]
		switch rng.IntN(3) {
		case 0: // relation between two of them
			c.np(rng, objs, a)
			c.word(relation(objs[a], objs[b])...)
			c.np(rng, objs, b)
			for _, k := range order[2:] {
				c.word("and")
				c.np(rng, objs, k)
			}
		case 1: // enumeration with a count
			c.word(countWords[len(objs)], "digits", ":")
			for i, k := range order {
				if i > 0 {
					if i == len(order)-1 {
						c.word("and")
					} else {
						c.word(",")
					}
				}
				c.np(rng, objs, k)
			}
		case 2: // enumeration with places
			for i, k := range order {
				if i > 0 {
					c.word("and")
				}
				c.np(rng, objs, k)
				c.word(placeWords(rng, objs[k], size)...)
			}
		}
	}
	return c.toks, c.refs
}

// SceneWords lists every word GenerateScene can emit, so a vocabulary can
// be built before any scene is: BuildVocab([][]string{SceneWords()}, 1).
func SceneWords() []string {
	words := []string{"a", "an", "empty", "picture", "the", "digit", "digits", "in", "on", "at", "to", "of",
		"left", "right", "top", "bottom", "middle", "above", "below", "and", ",", ":",
		"one", "two", "three", SizeSmall, SizeLarge}
	for _, c := range palette {
		words = append(words, c.Name)
	}
	for d := 0; d <= 9; d++ {
		words = append(words, strconv.Itoa(d))
	}
	return words
}
