package lpa

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/attnkit/attn/pkg/viz"
)

// PanelOptions says how Panel draws its tiles.
type PanelOptions struct {
	Zoom  int      // display pixels per image pixel (1 or more)
	Cmap  *viz.Map // colormap of the maps; nil means viz.Jet
	Alpha float64  // the map's weight in the blend, as viz.Heatmap takes it
}

// panelPad is the gap between tiles, in pixels.
const panelPad = 4

// Panel draws one image's explanation as a row of captioned tiles, each
// the image's size times opt.Zoom, left to right: the input with the
// predicted class; each of e's maps coloured and blended over the input
// (min-max normalised, as viz.Heatmap draws them); e's mask, shown as the
// input dimmed outside it (viz.CutOut); and, when ce is not nil, the mask of a second explanation of the
// same image (an attention model's panel shows the baseline's CAM mask
// there, so the two methods sit side by side). m and cm are the models
// that made e and ce.
func Panel(img image.Image, m *Model, e *Explanation, cm *Model, ce *Explanation, opt PanelOptions) (*image.RGBA, error) {
	if opt.Cmap == nil {
		opt.Cmap = viz.Jet()
	}
	zoom := max(1, opt.Zoom)
	big := viz.Enlarge(img, zoom)
	tiles := []image.Image{big}
	captions := []string{fmt.Sprintf("input: %s (p=%.2f)", m.Cfg.ClassName(e.Class), e.Probs[e.Class])}
	for k, a := range e.Maps {
		heat, err := viz.Heatmap(big, a, opt.Cmap, opt.Alpha)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", e.Names[k], err)
		}
		tiles = append(tiles, heat)
		captions = append(captions, mapCaption(e.Names[k]))
	}
	mask := func(x *Explanation) (image.Image, error) {
		g, err := viz.CutOut(img, x.Mask)
		if err != nil {
			return nil, err
		}
		return viz.Enlarge(g, zoom), nil
	}
	t, err := mask(e)
	if err != nil {
		return nil, err
	}
	tiles = append(tiles, t)
	captions = append(captions, fmt.Sprintf("mask: %s >= %.2f", e.MaskOf, e.Threshold))
	if ce != nil {
		t, err := mask(ce)
		if err != nil {
			return nil, err
		}
		tiles = append(tiles, t)
		c := fmt.Sprintf("mask: baseline %s >= %.2f", ce.MaskOf, ce.Threshold)
		if cn := cm.Cfg.ClassName(ce.Class); cn != m.Cfg.ClassName(e.Class) {
			c += " (" + cn + ")" // the CAM of the class the baseline predicts
		}
		captions = append(captions, c)
	}
	return viz.Strip(tiles, captions, panelPad, color.RGBA{40, 40, 40, 255}), nil
}

// mapCaption turns a MapNames name into a caption: "level2" → "level 2
// attention", "cam" → "CAM".
func mapCaption(name string) string {
	if lv, ok := strings.CutPrefix(name, "level"); ok {
		return "level " + lv + " attention"
	}
	return strings.ToUpper(name)
}
