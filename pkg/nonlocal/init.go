package nonlocal

import (
	"fmt"
	"strings"

	"github.com/attnkit/attn/pkg/tensor"
)

// InitFrom copies the per-frame trunk of src (its stem and residual
// blocks: convolutions and batch norms, matched by name) into m, as the
// paper starts its video networks from an image network (section 4.1).
// The classifier and the non-local blocks keep their fresh
// initialisation. A 2-D kernel [O, I, k, k] meets an inflated one
// [O, I, t, k, k] by inflation: it is repeated t times over time and
// divided by t, so a clip of identical frames gives the 2-D responses.
// It returns the number of tensors copied; a trunk tensor of another
// shape is an error (the two networks differ in width or depth).
func (m *Model) InitFrom(src *Model) (int, error) {
	type named struct {
		v     *tensor.Tensor
		count *int64
	}
	from := map[string]named{}
	for _, p := range src.Params() {
		from[p.Name] = named{v: p.Value}
	}
	for _, b := range src.Buffers() {
		from[b.Name] = named{v: b.Value, count: b.Count}
	}
	trunk := func(name string) bool { return !strings.HasPrefix(name, "fc.") && !strings.Contains(name, ".nl.") }
	n := 0
	copyTo := func(name string, dst *tensor.Tensor, count *int64) error {
		s, ok := from[name]
		if !ok || !trunk(name) {
			return nil
		}
		if count != nil {
			if s.count != nil {
				*count = *s.count
			}
			n++
			return nil
		}
		switch {
		case fmt.Sprint(s.v.Shape) == fmt.Sprint(dst.Shape):
			copy(dst.Data, s.v.Data)
		case inflates(s.v.Shape, dst.Shape):
			t := dst.Shape[2]
			plane := dst.Shape[3] * dst.Shape[4]
			for oi := 0; oi < dst.Shape[0]*dst.Shape[1]; oi++ {
				for k := 0; k < t; k++ {
					for j := 0; j < plane; j++ {
						dst.Data[(oi*t+k)*plane+j] = s.v.Data[oi*plane+j] / float32(t)
					}
				}
			}
		default:
			return fmt.Errorf("%s is %v in the initialising model, %v here", name, s.v.Shape, dst.Shape)
		}
		n++
		return nil
	}
	for _, p := range m.Params() {
		if err := copyTo(p.Name, p.Value, nil); err != nil {
			return n, err
		}
	}
	for _, b := range m.Buffers() {
		if err := copyTo(b.Name, b.Value, b.Count); err != nil {
			return n, err
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("no tensor of the trunk in common")
	}
	return n, nil
}

// inflates reports whether a 2-D kernel of shape s inflates to the 3-D
// shape d.
func inflates(s, d []int) bool {
	return len(s) == 4 && len(d) == 5 && s[0] == d[0] && s[1] == d[1] && s[2] == d[3] && s[3] == d[4]
}
