// Command lpa_curves draws the learning curves of the Learn-to-Pay-Attention
// runs: validation error against epoch, the attention model beside its
// GAP baseline trained with the same budget, one panel per pair of runs in
// runs/, as one PNG.
//
//	go run ./bench/lpa_curves [-runs runs] [-o docs/lpa/curves.png] [-width 800]
//
// It reads each run's per-epoch log, runs/NAME.log: tab-separated lines
// (epoch, lr, loss, train error %, validation error %, best validation
// error %, best epoch, seconds) or NDJSON lines with "epoch" and
// "val_error_pct".
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/attnkit/attn/pkg/imageio"
	"github.com/attnkit/attn/pkg/viz"
)

// pair is one panel: an attention run and its baseline.
type pair struct {
	att, baseline string // run names in runs/
	title         string
}

// pairs are the runs with an attention model and a baseline trained with
// the same budget (docs/experiments.md describes each).
var pairs = []pair{
	{"lpa-att", "lpa-baseline", "embedded models, 8 epochs"},
	{"lpa-hard-att", "lpa-hard-baseline", "harder task (pilot), 8 epochs"},
	{"lpa-fixed-att", "lpa-fixed-baseline", "10,000 fixed images, 30 epochs"},
	{"lpa-big-att", "lpa-big-baseline", "builtin:largest, 5 epochs"},
	{"lpa-narrow-att", "lpa-narrow-baseline", "quarter widths, 8 epochs"},
	{"lpa-narrowbig-att", "lpa-narrowbig-baseline", "quarter widths, largest"},
	{"lpa-narrowbig2-att", "lpa-narrowbig2-baseline", "quarter widths, largest, seed 2"},
	{"lpa-tinybig-att", "lpa-tinybig-baseline", "eighth widths, largest"},
}

// Colours of the two models in every panel.
var (
	attColor      = color.RGBA{213, 94, 0, 255} // vermillion
	baselineColor = color.RGBA{0, 114, 178, 255}
)

func main() {
	dir := flag.String("runs", "runs", "folder of the runs' .log files")
	out := flag.String("o", "docs/lpa/curves.png", "PNG to write")
	width := flag.Int("width", 800, "image width in pixels (two panels side by side)")
	flag.Parse()

	cols := 2
	pw := (*width - (cols+1)*4) / cols
	ph := pw * 2 / 3
	var panels []image.Image
	for _, p := range pairs {
		att, err := readCurve(filepath.Join(*dir, p.att+".log"))
		if err != nil {
			log.Fatal(err)
		}
		base, err := readCurve(filepath.Join(*dir, p.baseline+".log"))
		if err != nil {
			log.Fatal(err)
		}
		img, err := viz.LineChart(viz.Chart{
			Title:  fmt.Sprintf("%s: best %.2f%% vs %.2f%%", p.title, minOf(att.val), minOf(base.val)),
			XLabel: "epoch",
			YLabel: "validation error % (log scale)",
			LogY:   true,
			Series: []viz.Series{
				{Name: "attention", X: att.epoch, Y: att.val, Color: attColor},
				{Name: "baseline (GAP)", X: base.epoch, Y: base.val, Color: baselineColor},
			},
		}, pw, ph)
		if err != nil {
			log.Fatal(err)
		}
		panels = append(panels, img)
	}
	sheet := viz.Grid(panels, cols, 4, color.RGBA{200, 200, 200, 255})
	if err := imageio.SavePNG(*out, sheet); err != nil {
		log.Fatal(err)
	}
	fmt.Println(*out)
}

// curve is one run's validation error per epoch.
type curve struct {
	epoch, val []float64
}

// readCurve reads a run's log. A resumed run may repeat an epoch; the
// last line for it wins.
func readCurve(path string) (curve, error) {
	f, err := os.Open(path)
	if err != nil {
		return curve{}, err
	}
	defer f.Close()
	byEpoch := map[int]float64{}
	last := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ep, val, err := parseLine(line)
		if err != nil {
			return curve{}, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		byEpoch[ep] = val
		last = max(last, ep)
	}
	if err := sc.Err(); err != nil {
		return curve{}, fmt.Errorf("%s: %w", path, err)
	}
	var c curve
	for ep := 1; ep <= last; ep++ {
		if v, ok := byEpoch[ep]; ok {
			c.epoch = append(c.epoch, float64(ep))
			c.val = append(c.val, v)
		}
	}
	if len(c.epoch) == 0 {
		return curve{}, fmt.Errorf("%s: no epochs", path)
	}
	return c, nil
}

// parseLine reads the epoch and the validation error of one log line.
func parseLine(line string) (epoch int, val float64, err error) {
	if strings.HasPrefix(line, "{") {
		var r struct {
			Epoch *int     `json:"epoch"`
			Val   *float64 `json:"val_error_pct"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return 0, 0, err
		}
		if r.Epoch == nil || r.Val == nil {
			return 0, 0, fmt.Errorf("want \"epoch\" and \"val_error_pct\" in %s", line)
		}
		return *r.Epoch, *r.Val, nil
	}
	f := strings.Split(line, "\t")
	if len(f) < 5 {
		return 0, 0, fmt.Errorf("%d tab-separated fields, want at least 5", len(f))
	}
	if epoch, err = strconv.Atoi(f[0]); err != nil {
		return 0, 0, fmt.Errorf("epoch: %w", err)
	}
	if val, err = strconv.ParseFloat(f[4], 64); err != nil {
		return 0, 0, fmt.Errorf("validation error: %w", err)
	}
	return epoch, val, nil
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}
