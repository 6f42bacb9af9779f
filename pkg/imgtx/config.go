// Package imgtx is the Image Transformer (Parmar, Vaswani, Uszkoreit,
// Kaiser, Shazeer, Ku and Tran, ICML 2018) and, in the same code, the
// gated PixelCNN baseline (van den Oord et al., NeurIPS 2016).
//
// An image of h × w pixels and C channels is a sequence of h·w·C
// sub-pixels, each a 256-way categorical value predicted from those
// before it. Positions live on an h × (w·C) grid: row r, column x·C + c
// for channel c of pixel x, so a colour image is generated channel by
// channel (§3.1 of the paper). Each channel has its own input embedding;
// the 256-way softmax is shared.
//
// The Transformer attends locally (§3.2): local 1D cuts the raster order
// into query blocks of BlockLen positions, each attending causally to
// itself and the MemLen positions before it; local 2D generates the grid
// in query rectangles of QueryH × QueryW (blocks in raster order, raster
// order inside a block), each attending to its rectangle extended by
// MemH rows above and MemW columns left and right, masked causally.
// Conditioning is none, a class embedding added at every position, or a
// low-resolution image read by an encoder with full self-attention whose
// output the decoder's cross-attention sees (super-resolution, §4).
// Completion samples the rest of an image given its first rows.
//
// The loss is the discrete negative log-likelihood; bits/dim is its mean
// over sub-pixels in bits, with no dequantisation.
package imgtx

import (
	"encoding/json"
	"fmt"

	"github.com/attnkit/attn/pkg/nn"
)

// Levels is the number of values of a sub-pixel (8 bits).
const Levels = 256

// Config defines a model; it is stored in the model file's metadata.
type Config struct {
	Arch     string `json:"arch"`     // transformer or pixelcnn
	Data     string `json:"data"`     // what it was trained on: mnist or imagefolder
	Height   int    `json:"height"`   // image rows
	Width    int    `json:"width"`    // image columns
	Channels int    `json:"channels"` // 1 (grey) or 3 (RGB)

	Cond       string   `json:"cond"`                  // none, class or lowres
	Classes    int      `json:"classes,omitempty"`     // class: number of classes
	ClassNames []string `json:"class_names,omitempty"` // class: their names, when known
	LowRes     int      `json:"lowres,omitempty"`      // lowres: side of the low-resolution input (it divides Height and Width)

	// Transformer.
	Attention string  `json:"attention,omitempty"`  // local1d or local2d
	BlockLen  int     `json:"block_len,omitempty"`  // local1d: query block length l_q
	MemLen    int     `json:"mem_len,omitempty"`    // local1d: memory length l_m before a block
	QueryH    int     `json:"query_h,omitempty"`    // local2d: query block rows
	QueryW    int     `json:"query_w,omitempty"`    // local2d: query block grid columns (sub-pixels)
	MemH      int     `json:"mem_h,omitempty"`      // local2d: memory rows above a block
	MemW      int     `json:"mem_w,omitempty"`      // local2d: memory columns left and right of a block
	Layers    int     `json:"layers,omitempty"`     // decoder layers
	EncLayers int     `json:"enc_layers,omitempty"` // lowres: encoder layers
	Embed     int     `json:"embed,omitempty"`      // model width
	Heads     int     `json:"heads,omitempty"`      // attention heads
	FF        int     `json:"ff,omitempty"`         // feed-forward width
	Dropout   float32 `json:"dropout,omitempty"`    // dropout of every sublayer and of the input
	PreNorm   bool    `json:"prenorm,omitempty"`    // layer norm before each sublayer (and once at the end)
	Positions string  `json:"positions,omitempty"`  // sinusoidal or learned

	// PixelCNN.
	Filters int `json:"filters,omitempty"` // channels of each stack
	Kernel  int `json:"kernel,omitempty"`  // odd kernel size of the masked convolutions
}

// DefaultConfig returns the reference model of an architecture for
// h × w images of c channels: for the Transformer local 1D attention with
// query blocks of one row and a memory of two rows; for the PixelCNN the
// paper's gated layers.
func DefaultConfig(arch string, h, w, c int) Config {
	cfg := Config{Arch: arch, Data: "mnist", Height: h, Width: w, Channels: c, Cond: "none"}
	switch arch {
	case "transformer":
		cfg.Attention = "local1d"
		cfg.BlockLen, cfg.MemLen = w*c, 2*w*c
		cfg.QueryH, cfg.QueryW, cfg.MemH, cfg.MemW = 4, min(7, w)*c, 4, min(7, w)*c
		cfg.Layers, cfg.Embed, cfg.Heads, cfg.FF = 4, 128, 4, 256
		cfg.PreNorm, cfg.Positions = true, "sinusoidal"
		cfg.Dropout = 0.1
		cfg.EncLayers = 2
	case "pixelcnn":
		cfg.Layers, cfg.Filters, cfg.Kernel = 8, 64, 5
	}
	return cfg
}

// Len returns the number of sub-pixels of an image, the sequence length.
func (c Config) Len() int { return c.Height * c.Width * c.Channels }

// LowLen returns the sub-pixels of the low-resolution input.
func (c Config) LowLen() int { return c.LowRes * c.LowRes * c.Channels }

// Name is a short description, e.g. "transformer local1d (4×128)".
func (c Config) Name() string {
	s := c.Arch
	if c.Arch == "transformer" {
		s += " " + c.Attention
	}
	s += fmt.Sprintf(" %d layers", c.Layers)
	if c.Cond != "none" {
		s += " cond " + c.Cond
	}
	return s
}

// layerConfig is the shape of every Transformer layer.
func (c Config) layerConfig(cross bool) nn.TransformerConfig {
	return nn.TransformerConfig{Embed: c.Embed, Heads: c.Heads, FF: c.FF, Cross: cross, PreNorm: c.PreNorm, Dropout: c.Dropout}
}

// Equal reports whether two configurations build the same model.
func (c Config) Equal(o Config) bool {
	a, errA := json.Marshal(c)
	b, errB := json.Marshal(o)
	return errA == nil && errB == nil && string(a) == string(b)
}

// Validate reports a configuration that cannot be built.
func (c Config) Validate() error {
	switch {
	case c.Height < 2 || c.Width < 2 || c.Height*c.Width > 4096:
		return fmt.Errorf("image size %d×%d: want at least 2×2 and at most 4096 pixels", c.Height, c.Width)
	case c.Channels != 1 && c.Channels != 3:
		return fmt.Errorf("channels %d: want 1 (grey) or 3 (RGB)", c.Channels)
	}
	switch c.Cond {
	case "none":
	case "class":
		if c.Classes < 2 || len(c.ClassNames) != 0 && len(c.ClassNames) != c.Classes {
			return fmt.Errorf("class conditioning with %d classes (%d names): want at least 2 classes, one name each if named", c.Classes, len(c.ClassNames))
		}
	case "lowres":
		if c.LowRes < 1 || c.Height%c.LowRes != 0 || c.Width%c.LowRes != 0 || c.Height != c.Width {
			return fmt.Errorf("low resolution %d for %d×%d images: want a side dividing the (square) image's", c.LowRes, c.Height, c.Width)
		}
	default:
		return fmt.Errorf("conditioning %q: want none, class or lowres", c.Cond)
	}
	switch c.Arch {
	case "transformer":
		return c.validateTransformer()
	case "pixelcnn":
		switch {
		case c.Channels != 1:
			return fmt.Errorf("the PixelCNN baseline models grey images only, not %d channels", c.Channels)
		case c.Cond == "lowres":
			return fmt.Errorf("the PixelCNN baseline has no super-resolution encoder; use the transformer")
		case c.Layers < 1 || c.Filters < 1:
			return fmt.Errorf("PixelCNN with %d layers of %d filters: want at least 1 of each", c.Layers, c.Filters)
		case c.Kernel < 3 || c.Kernel%2 == 0:
			return fmt.Errorf("PixelCNN kernel %d: want an odd size of at least 3", c.Kernel)
		}
		return nil
	}
	return fmt.Errorf("architecture %q: want transformer or pixelcnn", c.Arch)
}

func (c Config) validateTransformer() error {
	if c.Layers < 1 {
		return fmt.Errorf("%d layers: want at least 1", c.Layers)
	}
	if c.Cond == "lowres" && c.EncLayers < 1 {
		return fmt.Errorf("%d encoder layers: super-resolution wants at least 1", c.EncLayers)
	}
	if err := c.layerConfig(false).Validate(); err != nil {
		return err
	}
	if c.Positions != "sinusoidal" && c.Positions != "learned" {
		return fmt.Errorf("position encodings %q: want sinusoidal or learned", c.Positions)
	}
	cols := c.Width * c.Channels
	switch c.Attention {
	case "local1d":
		if c.BlockLen < 1 || c.MemLen < 0 {
			return fmt.Errorf("local 1D blocks of %d with memory %d: want a block of at least 1 and a memory of 0 or more", c.BlockLen, c.MemLen)
		}
	case "local2d":
		if c.QueryH < 1 || c.QueryW < 1 || c.Height%c.QueryH != 0 || cols%c.QueryW != 0 || c.MemH < 0 || c.MemW < 0 {
			return fmt.Errorf("local 2D query blocks of %d×%d with flanges %d, %d: want blocks tiling the %d×%d grid and flanges of 0 or more",
				c.QueryH, c.QueryW, c.MemH, c.MemW, c.Height, cols)
		}
	default:
		return fmt.Errorf("attention %q: want local1d or local2d", c.Attention)
	}
	return nil
}
