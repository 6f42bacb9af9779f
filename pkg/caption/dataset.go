package caption

import (
	"fmt"
	"image"
	"strings"

	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
)

// Seeds of the built-in splits. The test set is fixed: the same scenes
// for every model and run, as the textured-digit tasks fix theirs.
const (
	TestSeed uint64 = 20150210 // Show, Attend and Tell's arXiv date
	ValSeed  uint64 = 20150211
)

// Default sizes of the built-in splits, in scenes.
const (
	DefaultTrainScenes = 55000 // per epoch, rendered anew every epoch
	DefaultValScenes   = 1000
	DefaultTestScenes  = 5000
)

// Sample is one image with its reference captions.
type Sample struct {
	Image []float32   // [3][Side][Side] planar RGB in [0, 1]
	Refs  [][]string  // reference captions as tokens
	Scene *data.Scene // the built-in scene it shows; nil for users' data
}

// Dataset is a captioned image set the model reads.
type Dataset interface {
	Len() int
	Side() int
	// Sample returns item i; it may decode a file, so it can fail.
	Sample(i int) (Sample, error)
	// SetEpoch selects an epoch's rendering (built-in training scenes
	// are drawn anew every epoch); stored data ignore it.
	SetEpoch(epoch int)
}

// Source names a dataset as the --data flag spells it: "builtin", or
// "karpathy:FILE" with the images in a folder given apart.
type Source struct {
	Kind   string // builtin or karpathy
	File   string // karpathy: the JSON file
	Images string // karpathy: the image folder
}

// ParseSource reads a --data value; images is the image folder of
// karpathy data.
func ParseSource(s, images string) (Source, error) {
	kind, file, _ := strings.Cut(s, ":")
	switch kind {
	case "builtin":
		if file != "" {
			return Source{}, fmt.Errorf("data %q: the built-in scenes take no file", s)
		}
		return Source{Kind: kind}, nil
	case "karpathy":
		if file == "" {
			return Source{}, fmt.Errorf("data %q: want karpathy:FILE", s)
		}
		if images == "" {
			return Source{}, fmt.Errorf("data %q: karpathy data needs the folder of its images", s)
		}
		return Source{Kind: kind, File: file, Images: images}, nil
	}
	return Source{}, fmt.Errorf("data %q: want builtin or karpathy:FILE", s)
}

// String returns the --data spelling.
func (s Source) String() string {
	if s.Kind == "karpathy" {
		return "karpathy:" + s.File
	}
	return s.Kind
}

// DataOptions control Open.
type DataOptions struct {
	Side   int    // model input side (64 for the built-in scenes)
	Scenes int    // builtin: scenes of the split (0: its default)
	Limit  int    // keep only the first Limit items (> 0)
	Seed   uint64 // builtin training scenes: the run's seed
	// TestSeed renders another built-in test set (0: TestSeed).
	TestSeed uint64
	// Karpathy is the parsed file, when the caller has read it already.
	Karpathy *KarpathyData
}

// Open returns split "train", "val" or "test" of a source. Built-in
// training scenes draw their digits from the first 55,000 MNIST training
// digits, validation scenes from the last 5,000 and test scenes from the
// 10,000 test digits.
func Open(src Source, split string, opt DataOptions) (Dataset, error) {
	if opt.Side == 0 {
		opt.Side = 64
	}
	var ds Dataset
	switch src.Kind {
	case "builtin":
		digits, seed, n, renew := "train55k", data.EpochSeed(opt.Seed^0x5343454e45, 0), DefaultTrainScenes, true
		switch split {
		case "train":
		case "val":
			digits, seed, n, renew = "val", ValSeed, DefaultValScenes, false
		case "test":
			digits, seed, n, renew = "test", TestSeed, DefaultTestScenes, false
			if opt.TestSeed != 0 {
				seed = opt.TestSeed
			}
		default:
			return nil, fmt.Errorf("builtin: no split %q (want train, val or test)", split)
		}
		if opt.Scenes > 0 {
			n = opt.Scenes
		}
		d, err := data.LoadMNIST(digits)
		if err != nil {
			return nil, err
		}
		cfg := data.SceneConfig{Digits: d, Size: opt.Side}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("builtin scenes of side %d: %w", opt.Side, err)
		}
		ds = &sceneSet{cfg: cfg, n: n, base: opt.Seed ^ 0x5343454e45, seed: seed, renew: renew}
	case "karpathy":
		kd := opt.Karpathy
		if kd == nil {
			var err error
			if kd, err = ReadKarpathy(src.File, src.Images); err != nil {
				return nil, err
			}
		}
		items, err := kd.Split(split)
		if err != nil {
			return nil, err
		}
		ds = &imageSet{items: items, side: opt.Side}
	default:
		return nil, fmt.Errorf("unknown data source %q", src.Kind)
	}
	if opt.Limit > 0 && opt.Limit < ds.Len() {
		ds = limited{ds, opt.Limit}
	}
	return ds, nil
}

// sceneSet renders built-in scenes on demand: scene i is a pure function
// of (seed, i).
type sceneSet struct {
	cfg        data.SceneConfig
	n          int
	base, seed uint64
	renew      bool // training: a new rendering every epoch
}

func (s *sceneSet) Len() int  { return s.n }
func (s *sceneSet) Side() int { return s.cfg.Size }

func (s *sceneSet) SetEpoch(epoch int) {
	if s.renew {
		s.seed = data.EpochSeed(s.base, epoch)
	}
}

func (s *sceneSet) Sample(i int) (Sample, error) {
	sc, err := data.GenerateScene(data.SampleRNG(s.seed, i), s.cfg)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Image: sc.Image, Refs: sc.Captions, Scene: &sc}, nil
}

// imageSet reads users' images, each converted with Input.
type imageSet struct {
	items []KarpathyItem
	side  int
}

func (s *imageSet) Len() int     { return len(s.items) }
func (s *imageSet) Side() int    { return s.side }
func (s *imageSet) SetEpoch(int) {}
func (s *imageSet) Sample(i int) (Sample, error) {
	it := s.items[i]
	img, err := imageio.Open(it.Image, imageio.Options{})
	if err != nil {
		return Sample{}, err
	}
	return Sample{Image: Input(img, s.side).Data, Refs: it.Refs}, nil
}

type limited struct {
	Dataset
	n int
}

func (l limited) Len() int { return l.n }

// Input converts any image to the encoder's input: RGB in [0, 1] (alpha
// composited over black), scaled so its longer side is side pixels with
// the aspect ratio kept, and centred on a black side×side square, the
// colour of the built-in scenes' background. It returns [3, side, side].
func Input(img image.Image, side int) *tensor.Tensor {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	nh, nw := side, side
	if w > h {
		nh = max(1, (h*side+w/2)/w)
	} else if h > w {
		nw = max(1, (w*side+h/2)/h)
	}
	m := imageio.Bilinear
	if h > nh || w > nw {
		m = imageio.Area // shrinking: average, do not alias
	}
	// Resized while read: a photo never becomes a full-size float copy.
	t := imageio.ToTensorResized(img, false, nh, nw, m)
	if nh == side && nw == side {
		return t
	}
	out := tensor.New(3, side, side)
	y0, x0 := (side-nh)/2, (side-nw)/2
	for c := 0; c < 3; c++ {
		for y := 0; y < nh; y++ {
			copy(out.Data[(c*side+y0+y)*side+x0:], t.Data[(c*nh+y)*nw:(c*nh+y+1)*nw])
		}
	}
	return out
}
