package imageio

import "testing"

func TestIsImageFile(t *testing.T) {
	for name, want := range map[string]bool{"a.png": true, "B.JPEG": true, "c.Tiff": true, "d.webp": true, "e.bmp": true,
		"f.txt": false, "png": false, "g.png.bak": false, "h.GIF": true} {
		if IsImageFile(name) != want {
			t.Errorf("IsImageFile(%q) = %v", name, !want)
		}
	}
}
