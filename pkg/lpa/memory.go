package lpa

import "github.com/attnkit/attn/pkg/imageio"

// WorkBytesPerPixel is about what explaining one image and drawing its
// pictures holds per input pixel beside the decoded image, for
// imageio.Options.WorkBytesPerPixel. The model itself runs on the input
// squeezed to Cfg.Side (InputTensor), so only the pictures at the image's
// size count: the mask (1 byte a pixel, Explain), then
//
//   - segment: the mask as a gray picture (1);
//   - attend: one heatmap (RGBA, 4), reused for every map
//     (viz.HeatmapInto);
//   - a panel: every tile (RGBA: each map, the mask cut-out, and the CAM
//     mask cut-out when cam is set, with the CAM's own mask), and the
//     strip that joins them with the input.
//
// maps is the number of maps (len(MapNames())).
func WorkBytesPerPixel(maps int, segment, panel, cam bool) int64 {
	const mask = 1
	rgba := int64(imageio.RGBABytes)
	switch {
	case segment:
		return mask + 1
	case panel:
		tiles := int64(maps) + 1 // the maps and the mask cut-out
		extra := int64(0)
		if cam {
			tiles++
			extra = mask
		}
		return mask + extra + tiles*rgba + (tiles+1)*rgba
	}
	return mask + rgba
}
