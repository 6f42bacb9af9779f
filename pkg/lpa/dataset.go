package lpa

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"

	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/tensor"
)

// Source names a dataset as the --data flag spells it: "builtin" (the
// default version of the built-in task), "builtin:NAME" (a version by name,
// data.TexturedNames), "cifar10:DIR", "cifar100:DIR" or "imagefolder:DIR".
type Source struct {
	Kind string // builtin, cifar10, cifar100 or imagefolder
	Dir  string // folder of the files (empty for builtin)
	Task string // builtin: the task's version; empty for the default
}

// TaskName returns the version of the built-in task the source names.
func (s Source) TaskName() string {
	if s.Task == "" {
		return data.DefaultTexturedName
	}
	return s.Task
}

// For returns the source with the built-in task's version filled in from
// a model trained on it, when the source names none: a model is scored on
// the version it learned unless the caller asks for another.
func (s Source) For(cfg Config) Source {
	if s.Kind == "builtin" && s.Task == "" && cfg.Data == "builtin" {
		s.Task = cfg.BuiltinTask()
	}
	return s
}

// ParseSource reads a --data value.
func ParseSource(s string) (Source, error) {
	kind, dir, _ := strings.Cut(s, ":")
	switch kind {
	case "builtin":
		if dir != "" {
			if _, err := data.TexturedByName(dir); err != nil {
				return Source{}, fmt.Errorf("data %q: %v", s, err)
			}
		}
		return Source{Kind: kind, Task: dir}, nil
	case "cifar10", "cifar100", "imagefolder":
		if dir == "" {
			return Source{}, fmt.Errorf("data %q: want %s:DIR", s, kind)
		}
		return Source{Kind: kind, Dir: dir}, nil
	}
	return Source{}, fmt.Errorf("data %q: want builtin, builtin:TASK, cifar10:DIR, cifar100:DIR or imagefolder:DIR", s)
}

// String returns the --data spelling.
func (s Source) String() string {
	switch {
	case s.Task != "":
		return s.Kind + ":" + s.Task
	case s.Dir == "":
		return s.Kind
	}
	return s.Kind + ":" + s.Dir
}

// DefaultSide is the input side of a source's models: 64 for the built-in
// task and image folders, 32 for CIFAR.
func (s Source) DefaultSide() int {
	if strings.HasPrefix(s.Kind, "cifar") {
		return data.CIFARSide
	}
	return 64
}

// Dataset is a labelled set of Side×Side RGB images in [0, 1].
type Dataset interface {
	Len() int
	Classes() int
	ClassNames() []string // nil when unknown
	Side() int
	// Load writes sample i ([3, Side, Side]) into dst and returns its
	// label. A non-nil aug applies training augmentation drawn from it.
	Load(i int, dst []float32, aug *rand.Rand) int
	// SetEpoch selects an epoch's renderings (generated data only).
	SetEpoch(epoch int)
	// Fork returns a view that another goroutine may use.
	Fork() Dataset
}

// Masked is a dataset with a ground-truth mask of the object per image:
// the built-in task.
type Masked interface {
	Dataset
	// LoadMasked is Load without augmentation that also writes the mask
	// ([Side, Side]).
	LoadMasked(i int, dst []float32, mask []bool) int
}

// DataOptions select a split's size and randomness.
type DataOptions struct {
	Side  int    // image side for image folders (default 64)
	Val   int    // images held out of the training split for validation (default: 5,000; 10% of an image folder)
	Limit int    // use only the first Limit images of the split when > 0
	Seed  uint64 // renderings of the built-in training split; hold-out of an image folder
	// Renders > 0 cycles the built-in training split (not val or test)
	// through that many renderings (epoch e uses rendering
	// (e-1) mod Renders + 1), so the training set is finite; 0 renders it
	// anew every epoch.
	Renders int
	// TestSeed renders the built-in test split (default data.TexturedTestSeed).
	TestSeed uint64
}

// ValSeed fixes the renderings of the built-in validation images.
const ValSeed uint64 = 0x4c50415f56414c

// Open returns split "train", "val" or "test" of a source. The built-in
// task renders the first 55,000 MNIST training digits anew every epoch
// (train), the last 5,000 once with ValSeed (val) and the 10,000 test
// digits with the fixed test seed (test). CIFAR holds out the last Val
// training images. An image folder is read, decoded and resized to
// Side×Side once; train and val split it by a seeded permutation, test is
// the whole folder.
func Open(src Source, split string, opt DataOptions) (Dataset, error) {
	if split != "train" && split != "val" && split != "test" {
		return nil, fmt.Errorf("split %q: want train, val or test", split)
	}
	var ds Dataset
	var err error
	switch src.Kind {
	case "builtin":
		ds, err = openBuiltin(src.TaskName(), split, opt)
	case "cifar10", "cifar100":
		ds, err = openCIFAR(src, split, opt)
	case "imagefolder":
		ds, err = openFolder(src, split, opt)
	default:
		return nil, fmt.Errorf("data kind %q: want builtin, cifar10, cifar100 or imagefolder", src.Kind)
	}
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// limit returns n, cut to opt.Limit when that is positive and smaller.
func (opt DataOptions) limit(n int) int {
	if opt.Limit > 0 && opt.Limit < n {
		return opt.Limit
	}
	return n
}

// builtin is the textured-digits task of package data.
type builtin struct {
	g       *data.TexturedGenerator
	n       int
	renders int // > 0: a finite training set of that many renderings
}

func openBuiltin(name, split string, opt DataOptions) (Dataset, error) {
	task, err := data.TexturedByName(name)
	if err != nil {
		return nil, err
	}
	if split == "test" {
		seed := opt.TestSeed
		if seed == 0 {
			seed = data.TexturedTestSeed
		}
		g, err := data.TexturedTestSet(task, seed)
		if err != nil {
			return nil, err
		}
		return &builtin{g, opt.limit(g.Len()), 0}, nil
	}
	digits, err := data.LoadMNIST(map[string]string{"train": "train55k", "val": "val"}[split])
	if err != nil {
		return nil, err
	}
	seed := opt.Seed
	if split == "val" {
		seed = ValSeed
	}
	g, err := data.NewTexturedGenerator(task, digits, seed)
	if err != nil {
		return nil, err
	}
	renders := 0 // validation images stay one fixed rendering
	if split == "train" {
		renders = opt.Renders
	}
	return &builtin{g, opt.limit(g.Len()), renders}, nil
}

func (b *builtin) Len() int                                    { return b.n }
func (b *builtin) Classes() int                                { return 10 }
func (b *builtin) ClassNames() []string                        { return nil }
func (b *builtin) Side() int                                   { return b.g.Task().Size }
func (b *builtin) Fork() Dataset                               { return &builtin{b.g.Clone(), b.n, b.renders} }
func (b *builtin) Load(i int, dst []float32, _ *rand.Rand) int { return b.g.Render(i, dst, nil) }

// SetEpoch selects the rendering of epoch e, or with a finite training set
// the one of its renderings that epoch e reuses.
func (b *builtin) SetEpoch(e int) {
	if b.renders > 0 {
		e = (e-1)%b.renders + 1
	}
	b.g.SetEpoch(e)
}

func (b *builtin) LoadMasked(i int, dst []float32, mask []bool) int {
	return b.g.Render(i, dst, mask)
}

// images is an in-memory set of 8-bit planar RGB images (CIFAR, decoded
// image folders) with the CIFAR augmentation: a random crop of the image
// zero-padded by 4 pixels, and a horizontal flip with probability ½.
type images struct {
	side   int
	pix    []uint8 // N × 3·side²
	idx    []int   // the split's images
	labels []int   // label of every image
	names  []string
}

func (d *images) Len() int             { return len(d.idx) }
func (d *images) Classes() int         { return len(d.names) }
func (d *images) ClassNames() []string { return d.names }
func (d *images) Side() int            { return d.side }
func (d *images) SetEpoch(int)         {}
func (d *images) Fork() Dataset        { return d }

// Pad is the zero padding of the random-crop augmentation.
const Pad = 4

func (d *images) Load(i int, dst []float32, aug *rand.Rand) int {
	k := d.idx[i]
	s := d.side
	src := d.pix[k*3*s*s : (k+1)*3*s*s]
	if aug == nil {
		for j, v := range src {
			dst[j] = float32(v) * (1.0 / 255)
		}
		return d.labels[k]
	}
	dx, dy := aug.IntN(2*Pad+1)-Pad, aug.IntN(2*Pad+1)-Pad
	flip := aug.IntN(2) == 1
	for c := 0; c < 3; c++ {
		for y := 0; y < s; y++ {
			sy := y + dy
			row := dst[(c*s+y)*s : (c*s+y+1)*s]
			if sy < 0 || sy >= s {
				clear(row)
				continue
			}
			for x := 0; x < s; x++ {
				sx := x + dx
				if flip {
					sx = s - 1 - x + dx
				}
				if sx < 0 || sx >= s {
					row[x] = 0
				} else {
					row[x] = float32(src[(c*s+sy)*s+sx]) * (1.0 / 255)
				}
			}
		}
	}
	return d.labels[k]
}

func openCIFAR(src Source, split string, opt DataOptions) (Dataset, error) {
	load := data.LoadCIFAR10
	classes := 10
	if src.Kind == "cifar100" {
		load, classes = data.LoadCIFAR100, 100
	}
	file := "train"
	if split == "test" {
		file = "test"
	}
	c, err := load(src.Dir, file)
	if err != nil {
		return nil, err
	}
	d := &images{side: data.CIFARSide, pix: c.Images, labels: make([]int, c.Len()), names: c.Classes}
	if len(d.names) != classes {
		d.names = make([]string, classes)
		for i := range d.names {
			d.names[i] = fmt.Sprint(i)
		}
	}
	for i, l := range c.Labels {
		d.labels[i] = int(l)
	}
	lo, hi := 0, c.Len()
	if split != "test" {
		val := opt.Val
		if val == 0 {
			val = 5000
		}
		if val < 1 || val >= c.Len() {
			return nil, fmt.Errorf("%s: cannot hold out %d of %d training images", src, val, c.Len())
		}
		if split == "train" {
			hi = c.Len() - val
		} else {
			lo = c.Len() - val
		}
	}
	for i := lo; i < hi; i++ {
		d.idx = append(d.idx, i)
	}
	d.idx = d.idx[:opt.limit(len(d.idx))]
	return d, nil
}

func openFolder(src Source, split string, opt DataOptions) (Dataset, error) {
	f, err := data.ScanImageFolder(src.Dir)
	if err != nil {
		return nil, err
	}
	side := opt.Side
	if side == 0 {
		side = 64
	}
	d := &images{side: side, pix: make([]uint8, f.Len()*3*side*side), labels: f.Labels, names: f.Classes}
	for i := 0; i < f.Len(); i++ {
		t, _, err := data.LoadImageItem(f, i, func(p string) (*tensor.Tensor, error) { return LoadImage(p, side, imageio.Options{}) })
		if err != nil {
			return nil, err
		}
		dst := d.pix[i*3*side*side : (i+1)*3*side*side]
		for j, v := range t.Data {
			dst[j] = uint8(min(max(v, 0), 1)*255 + 0.5)
		}
	}
	if split == "test" {
		for i := 0; i < f.Len(); i++ {
			d.idx = append(d.idx, i)
		}
		d.idx = d.idx[:opt.limit(len(d.idx))]
		return d, nil
	}
	val := opt.Val
	if val == 0 {
		val = max(1, f.Len()/10)
	}
	if val < 1 || val >= f.Len() {
		return nil, fmt.Errorf("%s: cannot hold out %d of %d images", src, val, f.Len())
	}
	perm := rand.New(rand.NewPCG(opt.Seed, 0x464f4c44)).Perm(f.Len())
	if split == "val" {
		d.idx = perm[:val]
	} else {
		d.idx = perm[val:]
	}
	d.idx = d.idx[:opt.limit(len(d.idx))]
	return d, nil
}

// LoadImage decodes an image file as the model sees it: RGB in [0, 1],
// squeezed to side×side (area averaging when shrinking, bilinear when
// enlarging; the aspect ratio is not kept, so an attention map upsampled
// to the original size lines up with the original image).
func LoadImage(path string, side int, opt imageio.Options) (*tensor.Tensor, error) {
	img, err := imageio.Open(path, opt)
	if err != nil {
		return nil, err
	}
	return InputTensor(img, side), nil
}

// InputTensor is Resize(imageio.ToTensor(img, false), side), computed
// while the image is read (imageio.ToTensorResized), so a photo costs one
// pass over its pixels, not a full-size float copy.
func InputTensor(img image.Image, side int) *tensor.Tensor {
	b := img.Bounds()
	return imageio.ToTensorResized(img, false, side, side, resizeMethod(b.Dy(), b.Dx(), side))
}

// Resize squeezes a [3, H, W] image to [3, side, side].
func Resize(t *tensor.Tensor, side int) *tensor.Tensor {
	h, w := t.Shape[1], t.Shape[2]
	if h == side && w == side {
		return t
	}
	return imageio.ResizeTensor(t, side, side, resizeMethod(h, w, side))
}

// resizeMethod averages when an axis shrinks (bilinear would alias) and
// interpolates otherwise.
func resizeMethod(h, w, side int) imageio.ResizeMethod {
	if h > side || w > side {
		return imageio.Area
	}
	return imageio.Bilinear
}

// Describe returns the input side, the number of classes and (when known)
// the class names of a source's models, reading at most an index: a CIFAR
// folder's label names or an image folder's class folders. side is used
// for image folders (0 means 64).
func (s Source) Describe(side int) (int, int, []string, error) {
	switch s.Kind {
	case "builtin":
		return 64, 10, nil, nil
	case "cifar10", "cifar100":
		ds, err := openCIFAR(s, "test", DataOptions{})
		if err != nil {
			return 0, 0, nil, err
		}
		return ds.Side(), ds.Classes(), ds.ClassNames(), nil
	case "imagefolder":
		f, err := data.ScanImageFolder(s.Dir)
		if err != nil {
			return 0, 0, nil, err
		}
		if side == 0 {
			side = 64
		}
		return side, len(f.Classes), f.Classes, nil
	}
	return 0, 0, nil, fmt.Errorf("data kind %q: want builtin, cifar10, cifar100 or imagefolder", s.Kind)
}

// AsMasked returns ds as a Masked dataset, if it has ground-truth masks.
func AsMasked(ds Dataset) (Masked, bool) {
	m, ok := ds.(Masked)
	return m, ok
}
