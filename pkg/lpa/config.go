// Package lpa is "Learn To Pay Attention" (Jetley, Lord, Lee and Torr, ICLR
// 2018): a VGG-style CNN with batch normalisation whose classifier sees
// only attention-weighted sums of intermediate feature maps.
//
// At two or three levels s of the network a local feature map l^s is
// scored against the global feature g of the last layer: the
// compatibility is parametrised, c_i = ⟨u, l_i + g⟩ (pc, a 1×1 convolution
// to one channel), or a dot product, c_i = ⟨l_i, g⟩ (dp). The scores are
// normalised with a softmax over space, g_a = Σ_i a_i l_i (eq. 2–3 of the
// paper), or with a sigmoid and a spatial average. A concat head
// classifies the concatenated g_a^s; an indep head classifies each level
// and averages the logits. Where l^s and g differ in width, g is projected
// to the width of l^s by a bias-free linear layer (section 3 of the paper).
//
// The same code builds the baseline (no attention: global average pooling
// of the last block and one linear layer) and its class activation maps
// (CAM, Zhou et al. 2016), the weakly supervised segmentation the paper
// compares with. Everything a model needs to be rebuilt is in Config,
// stored in the checkpoint's metadata. Parameter names match the PyTorch
// twin in python/attnkit_torch/lpa.py.
package lpa

import (
	"fmt"

	"github.com/attnkit/attn/pkg/data"
	"slices"
	"strings"
)

// Blocks is the number of convolution blocks; each ends in a 2×2 max-pool,
// so the input side must be a multiple of 2^Blocks.
const Blocks = 5

// Config defines a model's shape; it is stored in the checkpoint's
// metadata so a file is self-describing.
type Config struct {
	Data       string   `json:"data"`                  // what it was trained on: builtin, cifar10, cifar100, imagefolder
	Task       string   `json:"task,omitempty"`        // builtin: the task's version (data.TexturedNames); empty in files made before versions had names
	Side       int      `json:"side"`                  // input side in pixels (multiple of 32)
	Channels   int      `json:"channels"`              // input channels (3)
	Classes    int      `json:"classes"`               //
	ClassNames []string `json:"class_names,omitempty"` // names of the classes, when known
	Widths     []int    `json:"widths"`                // output channels of each block's convolutions
	Convs      []int    `json:"convs"`                 // 3×3 convolutions (each + BN + ReLU) per block

	Attention bool   `json:"attention"` // false: the GAP baseline (the fields below are ignored)
	Levels    int    `json:"levels"`    // 2 (att2: the last two levels) or 3 (att3)
	Compat    string `json:"compat"`    // pc or dp
	Norm      string `json:"norm"`      // softmax or sigmoid
	Head      string `json:"head"`      // concat or indep
	Placement string `json:"placement"` // before or after the max-pool of a level's block
}

// DefaultWidths and DefaultConvs are the built-in VGG: 64×64 inputs go
// through blocks of 32, 64, 128, 256 and 256 channels with 1, 1, 2, 2 and
// 2 convolutions; the attention levels are the outputs of blocks 3, 4 and
// 5 (16×16, 8×8 and 4×4 before pooling).
var (
	DefaultWidths = []int{32, 64, 128, 256, 256}
	DefaultConvs  = []int{1, 1, 2, 2, 2}
)

// DefaultConfig returns the reference attention model, (VGG-att3)-concat-pc
// with softmax attention before pooling, for side×side inputs of the
// given number of classes.
func DefaultConfig(data string, side, classes int) Config {
	return Config{
		Data: data, Side: side, Channels: 3, Classes: classes,
		Widths: slices.Clone(DefaultWidths), Convs: slices.Clone(DefaultConvs),
		Attention: true, Levels: 3, Compat: "pc", Norm: "softmax", Head: "concat", Placement: "before",
	}
}

// BuiltinTask returns the version of the built-in task a model was trained
// on: its Task, or "fragments" for a builtin model whose file predates
// named versions (every such model was trained on that one); "" for other
// data.
func (c Config) BuiltinTask() string {
	switch {
	case c.Data != "builtin":
		return ""
	case c.Task == "":
		return "fragments"
	}
	return c.Task
}

// Baseline returns the configuration without attention.
func (c Config) Baseline() Config {
	c.Attention = false
	return c
}

// Equal reports whether two configurations build the same model.
func (c Config) Equal(o Config) bool {
	return c.Data == o.Data && c.BuiltinTask() == o.BuiltinTask() && c.Side == o.Side && c.Channels == o.Channels && c.Classes == o.Classes &&
		slices.Equal(c.ClassNames, o.ClassNames) && slices.Equal(c.Widths, o.Widths) && slices.Equal(c.Convs, o.Convs) &&
		c.Attention == o.Attention && c.Levels == o.Levels && c.Compat == o.Compat && c.Norm == o.Norm &&
		c.Head == o.Head && c.Placement == o.Placement
}

// Name is the paper's name of the variant, e.g. "(VGG-att3)-concat-pc"
// with "sigmoid" and "after" appended when they differ from the default.
func (c Config) Name() string {
	if !c.Attention {
		return "VGG-GAP"
	}
	s := fmt.Sprintf("(VGG-att%d)-%s-%s", c.Levels, c.Head, c.Compat)
	if c.Norm != "softmax" {
		s += "-" + c.Norm
	}
	if c.Placement != "before" {
		s += "-" + c.Placement
	}
	return s
}

// AttnLevels returns the network levels (1..3) that carry attention:
// {1, 2, 3} for att3 and {2, 3}, the two deepest, for att2, as in the
// paper. Level k is the output of block k+2 (0-based block k+1).
func (c Config) AttnLevels() []int {
	if !c.Attention {
		return nil
	}
	if c.Levels == 2 {
		return []int{2, 3}
	}
	return []int{1, 2, 3}
}

// LevelSide returns the side of the attention map of level k.
func (c Config) LevelSide(k int) int {
	s := c.Side >> (k + 1) // block k+1 sees Side/2^(k+1)
	if c.Placement == "after" {
		s >>= 1
	}
	return s
}

// LevelWidth returns the channels of the local features of level k.
func (c Config) LevelWidth(k int) int { return c.Widths[k+1] }

// GlobalWidth returns the width of g (the output of the dense layer).
func (c Config) GlobalWidth() int { return c.Widths[Blocks-1] }

// Validate reports a configuration that cannot be built.
func (c Config) Validate() error {
	oneOf := func(what, v string, ok ...string) error {
		if slices.Contains(ok, v) {
			return nil
		}
		return fmt.Errorf("%s %q: want %s", what, v, strings.Join(ok, " or "))
	}
	if c.Data == "builtin" && c.Task != "" {
		if _, err := data.TexturedByName(c.Task); err != nil {
			return err
		}
	}
	switch {
	case c.Side < 32 || c.Side > 1024 || c.Side%(1<<Blocks) != 0:
		return fmt.Errorf("side %d: want a multiple of %d in 32..1024", c.Side, 1<<Blocks)
	case c.Channels < 1 || c.Channels > 4:
		return fmt.Errorf("channels %d: want 1..4", c.Channels)
	case c.Classes < 2 || c.Classes > 100000:
		return fmt.Errorf("classes %d: want at least 2", c.Classes)
	case len(c.ClassNames) != 0 && len(c.ClassNames) != c.Classes:
		return fmt.Errorf("%d class names for %d classes", len(c.ClassNames), c.Classes)
	case len(c.Widths) != Blocks || len(c.Convs) != Blocks:
		return fmt.Errorf("widths %v and convs %v: want %d blocks each", c.Widths, c.Convs, Blocks)
	}
	for b := 0; b < Blocks; b++ {
		if c.Widths[b] < 1 || c.Widths[b] > 4096 || c.Convs[b] < 1 || c.Convs[b] > 8 {
			return fmt.Errorf("block %d: width %d, %d convolutions (want 1..4096 and 1..8)", b+1, c.Widths[b], c.Convs[b])
		}
	}
	if !c.Attention {
		return nil
	}
	if c.Levels != 2 && c.Levels != 3 {
		return fmt.Errorf("levels %d: want 2 or 3", c.Levels)
	}
	for _, e := range []error{
		oneOf("compatibility", c.Compat, "pc", "dp"),
		oneOf("normalisation", c.Norm, "softmax", "sigmoid"),
		oneOf("head", c.Head, "concat", "indep"),
		oneOf("placement", c.Placement, "before", "after"),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}
