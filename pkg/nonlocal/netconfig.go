package nonlocal

import (
	"fmt"
	"slices"
	"strings"
)

// Stages is the number of residual stages (res2..res5 in the paper's
// ResNet naming); the stem is "res1".
const Stages = 4

// Extents of a block in a clip model (Table 2d of the paper).
const (
	SpaceTime = "spacetime" // every position of the clip attends to every other
	Space     = "space"     // positions attend within their own frame
	Time      = "time"      // positions attend to the same pixel in the other frames
)

// Config defines a network: the C2D baseline (Blocks = 0), its I3D
// variant (Inflate), or either with non-local blocks. It is stored in the
// model file's metadata, so a file is self-describing.
type Config struct {
	// Mode is "3d" for clips [N, 1, T, H, W] or "2d" for images
	// [N, C, H, W].
	Mode string `json:"mode"`
	// Task names the built-in data the model was trained on (TaskNames).
	Task     string `json:"task"`
	Frames   int    `json:"frames"` // T (3d only; 0 in 2d)
	Side     int    `json:"side"`   // frame or image side
	Channels int    `json:"channels"`
	Classes  int    `json:"classes"`
	// Widths are the channels of the stem and of res2..res5 (5 numbers);
	// Depths the residual blocks of res2..res5 (4 numbers).
	Widths []int `json:"widths"`
	Depths []int `json:"depths"`
	// Inflate turns the first 3×3 kernel of every residual block into a
	// 3×3×3 one (I3D); clips only.
	Inflate bool `json:"inflate"`

	// Blocks is the number of non-local blocks: 0, 1 (after the
	// penultimate residual block of Stage, or its only one) or 5 (after
	// the last two residual blocks of res3 and the last three of res4,
	// as the paper spreads five blocks over res3 and res4).
	Blocks    int      `json:"blocks"`
	Stage     int      `json:"stage"` // 2..5, where a single block goes
	Pairwise  Pairwise `json:"pairwise"`
	Subsample bool     `json:"subsample"`
	Scale     bool     `json:"scale"`
	Extent    string   `json:"extent"` // clips: spacetime, space or time
}

// DefaultWidths and DefaultDepths are the built-in ResNet: a stem of 8
// channels, then res2..res5 of 8, 16, 32 and 64 channels with 1, 2, 3
// and 1 basic residual blocks (two 3×3 convolutions each). res3 and res4
// have the depths the paper's five-block setting needs.
var (
	DefaultWidths = []int{8, 8, 16, 32, 64}
	DefaultDepths = []int{1, 2, 3, 1}
)

// DefaultConfig returns the NL C2D reference for a task: one embedded
// Gaussian block in res4, subsampled, over spacetime for clips (an image
// model has no extent).
func DefaultConfig(task string) (Config, error) {
	ts, err := TaskByName(task)
	if err != nil {
		return Config{}, err
	}
	c := Config{
		Mode: ts.Mode, Task: ts.Name, Frames: ts.Frames, Side: ts.Side, Channels: ts.Channels, Classes: ts.Classes,
		Widths: slices.Clone(DefaultWidths), Depths: slices.Clone(DefaultDepths),
		Blocks: 1, Stage: 4, Pairwise: Embedded, Subsample: true,
	}
	if c.Clip() {
		c.Extent = SpaceTime
	}
	return c, nil
}

// Clip reports whether the model takes clips.
func (c Config) Clip() bool { return c.Mode == "3d" }

// Name is a short description such as "C2D", "NL C2D (1 embedded, res4)"
// or "NL I3D (5 dot, space)".
func (c Config) Name() string {
	base := "C2D"
	switch {
	case !c.Clip():
		base = "CNN"
	case c.Inflate:
		base = "I3D"
	}
	if c.Blocks == 0 {
		return base
	}
	where := fmt.Sprintf("res%d", c.Stage)
	if c.Blocks == 5 {
		where = "res3+res4"
	}
	s := fmt.Sprintf("NL %s (%d %s, %s", base, c.Blocks, c.Pairwise, where)
	if c.Clip() && c.Extent != SpaceTime {
		s += ", " + c.Extent
	}
	if !c.Subsample {
		s += ", full"
	}
	return s + ")"
}

// Equal reports whether two configurations build the same model.
func (c Config) Equal(o Config) bool {
	return c.Mode == o.Mode && c.Task == o.Task && c.Frames == o.Frames && c.Side == o.Side && c.Channels == o.Channels &&
		c.Classes == o.Classes && slices.Equal(c.Widths, o.Widths) && slices.Equal(c.Depths, o.Depths) &&
		c.Inflate == o.Inflate && c.Blocks == o.Blocks && (c.Blocks == 0 || c.Stage == o.Stage && c.Pairwise == o.Pairwise &&
		c.Subsample == o.Subsample && c.Scale == o.Scale && c.Extent == o.Extent)
}

// Validate reports a configuration that cannot be built.
func (c Config) Validate() error {
	switch {
	case c.Mode != "2d" && c.Mode != "3d":
		return fmt.Errorf("mode %q: want 2d or 3d", c.Mode)
	case c.Clip() && (c.Frames < 1 || c.Frames > 256):
		return fmt.Errorf("%d frames: want 1..256", c.Frames)
	case !c.Clip() && c.Frames != 0:
		return fmt.Errorf("an image model has no frames (got %d)", c.Frames)
	case c.Side < 8 || c.Side > 1024:
		return fmt.Errorf("side %d: want 8..1024", c.Side)
	case c.Channels < 1 || c.Channels > 4:
		return fmt.Errorf("channels %d: want 1..4", c.Channels)
	case c.Classes < 2 || c.Classes > 100000:
		return fmt.Errorf("classes %d: want at least 2", c.Classes)
	case len(c.Widths) != Stages+1 || len(c.Depths) != Stages:
		return fmt.Errorf("widths %v and depths %v: want %d widths (stem, res2..res5) and %d depths", c.Widths, c.Depths, Stages+1, Stages)
	case c.Inflate && !c.Clip():
		return fmt.Errorf("inflated kernels are for clips")
	}
	for i, w := range c.Widths {
		if w < 2 || w > 4096 {
			return fmt.Errorf("width %d of stage %d: want 2..4096", w, i+1)
		}
	}
	for i, d := range c.Depths {
		if d < 1 || d > 16 {
			return fmt.Errorf("depth %d of res%d: want 1..16", d, i+2)
		}
	}
	switch c.Blocks {
	case 0:
		return nil
	case 1:
		if c.Stage < 2 || c.Stage > Stages+1 {
			return fmt.Errorf("stage res%d: want res2..res5", c.Stage)
		}
	case 5:
		if c.Depths[1] < 2 || c.Depths[2] < 3 {
			return fmt.Errorf("five blocks go after two residual blocks of res3 and three of res4; depths %v have fewer", c.Depths)
		}
	default:
		return fmt.Errorf("%d non-local blocks: want 0, 1 or 5", c.Blocks)
	}
	if _, err := ParsePairwise(string(c.Pairwise)); err != nil {
		return err
	}
	if c.Scale && c.Pairwise == Concat {
		return fmt.Errorf("the concatenation form has no θᵀφ to scale")
	}
	if c.Clip() {
		if !slices.Contains([]string{SpaceTime, Space, Time}, c.Extent) {
			return fmt.Errorf("extent %q: want %s", c.Extent, strings.Join([]string{SpaceTime, Space, Time}, ", "))
		}
		if c.Extent == Time && c.Subsample {
			return fmt.Errorf("a time-only block has no space to subsample")
		}
	}
	if c.Subsample {
		for _, st := range c.sites() {
			if side := c.StageSide(st.Stage); side < 2 {
				return fmt.Errorf("res%d maps are %d×%d, too small to subsample", st.Stage, side, side)
			}
		}
	}
	return nil
}

// StageSide returns the side of the feature maps of stage s (1: the
// stem, after its max-pool; 2..5: res2..res5).
func (c Config) StageSide(s int) int {
	side := c.Side / 2
	for k := 3; k <= s; k++ {
		side = (side-1)/2 + 1
	}
	return side
}

// site is where a non-local block goes: after residual block Index of
// stage Stage (2..5).
type site struct{ Stage, Index int }

// sites returns the places of the configuration's non-local blocks.
func (c Config) sites() []site {
	switch c.Blocks {
	case 1:
		d := c.Depths[c.Stage-2]
		return []site{{c.Stage, max(d-2, 0)}}
	case 5:
		var s []site
		for j := c.Depths[1] - 2; j < c.Depths[1]; j++ {
			s = append(s, site{3, j})
		}
		for j := c.Depths[2] - 3; j < c.Depths[2]; j++ {
			s = append(s, site{4, j})
		}
		return s
	}
	return nil
}

// blockConfig is the block of a site whose input has ch channels.
func (c Config) blockConfig(ch int) BlockConfig {
	dims := 2
	if c.Clip() && c.Extent == SpaceTime {
		dims = 3
	}
	return BlockConfig{Channels: ch, Pairwise: c.Pairwise, Dims: dims, Subsample: c.Subsample, Scale: c.Scale}
}
