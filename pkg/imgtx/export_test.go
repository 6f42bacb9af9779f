package imgtx

import (
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/data"
)

// An exported split holds the images training and evaluation load, value
// for value: round(255·x) of the export is the 8-bit sub-pixel the model
// reads, channels first.
func TestSplitImagesMatchOpen(t *testing.T) {
	if _, err := data.LoadMNIST("test"); err != nil {
		t.Skip(err)
	}
	for _, c := range []int{1, 3} {
		for _, split := range []string{"train", "val", "test"} {
			ds, err := Open(Source{Kind: "mnist"}, split, 14, 14, c, 5)
			if err != nil {
				t.Fatal(err)
			}
			set, err := SplitImages(Source{Kind: "mnist"}, split, 14, 14, c, 5)
			if err != nil {
				t.Fatal(err)
			}
			if set.Len != 5 || set.Channels != c || set.Height != 14 || set.Width != 14 {
				t.Fatalf("%s: %d images of %v", split, set.Len, set.Shape())
			}
			got := make([]float32, c*14*14)
			for i := range set.Len {
				label := set.Load(i, got)
				for k, v := range ds.Image(i) {
					x := got[(k%c)*14*14+k/c]
					if uint8(math.Round(float64(x)*255)) != v || label != ds.Labels[i] {
						t.Fatalf("%s image %d sub-pixel %d: %v (label %d), Open has %d (label %d)", split, i, k, x, label, v, ds.Labels[i])
					}
				}
			}
			m := set.Meta
			if m["tool"] != "imgtx" || m["data"] != "mnist" || m["split"] != split || m["height"] != 14 ||
				m["channels"] != c || m["classes"] != 10 || m["limit"] != 5 {
				t.Errorf("%s: meta %v", split, m)
			}
		}
	}
	if _, err := SplitImages(Source{Kind: "mnist"}, "holdout", 28, 28, 1, 0); err == nil {
		t.Error("split holdout: no error")
	}
}
