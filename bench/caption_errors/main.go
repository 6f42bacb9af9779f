// Command caption_errors sorts a captioner's object-naming errors on the
// built-in test scenes: every mention that matches no object of its scene
// (caption.SceneContent) is classed by the scene's object of the colour it
// names, and every object no mention matches is counted by the size of its
// scene. It prints one JSON object of counts, then (with -show N) the first
// N captions with an error beside their scenes' objects.
//
//	go run ./bench/caption_errors -model embedded:soft -n 1000
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	capmodels "github.com/attnkit/attn/models/caption"
	"github.com/attnkit/attn/pkg/caption"
	"github.com/attnkit/attn/pkg/data"
)

func main() {
	model := flag.String("model", "embedded:soft", "model file or embedded:NAME")
	n := flag.Int("n", 1000, "first N test scenes")
	beam := flag.Int("beam", 3, "beam width")
	threads := flag.Int("threads", 2, "decoding threads")
	show := flag.Int("show", 0, "print the first N captions with an error")
	flag.Parse()
	if err := run(*model, *n, *beam, *threads, *show); err != nil {
		fmt.Fprintln(os.Stderr, "caption_errors:", err)
		os.Exit(1)
	}
}

func run(spec string, n, beam, threads, show int) error {
	m, err := capmodels.Open(spec)
	if err != nil {
		return err
	}
	m.Train(false)
	src, err := caption.ParseSource("builtin", "")
	if err != nil {
		return err
	}
	ds, err := caption.Open(src, "test", caption.DataOptions{Side: m.Cfg.Side, Limit: n})
	if err != nil {
		return err
	}
	res, err := m.Evaluate(ds, caption.EvalOptions{DecodeOptions: caption.DecodeOptions{Beam: beam}, Threads: threads})
	if err != nil {
		return err
	}
	counts := map[string]int{}
	var shown []string
	for i, c := range res.Captions {
		sc := res.Scenes[i]
		_, p, match := caption.SceneContent(c.Tokens, sc.Objects, sc.Size)
		matched := make([]bool, len(sc.Objects))
		wrong := false
		for k, o := range match {
			if o >= 0 {
				matched[o] = true
				continue
			}
			wrong = true
			counts[mentionError(p.Mentions[k], sc.Objects)]++
		}
		for _, ok := range matched {
			if !ok {
				wrong = true
				counts[fmt.Sprintf("object_missed_in_%d_digit_scene", len(sc.Objects))]++
			}
		}
		if wrong && len(shown) < show {
			var objs []string
			for _, o := range sc.Objects {
				objs = append(objs, fmt.Sprintf("%s %s %d", o.Size, o.Colour, o.Digit))
			}
			shown = append(shown, strings.Join(c.Tokens, " ")+"\t"+strings.Join(objs, "; "))
		}
	}
	counts["scenes"] = len(res.Captions)
	if err := json.NewEncoder(os.Stdout).Encode(counts); err != nil {
		return err
	}
	for _, s := range shown {
		fmt.Println(s)
	}
	return nil
}

// mentionError classes a mention that fits no object: by the scene's
// object of the colour it states (a scene's colours are distinct).
func mentionError(m caption.Mention, objs []data.Object) string {
	if m.Colour == "" {
		return "mention_without_colour"
	}
	for _, o := range objs {
		if o.Colour != m.Colour {
			continue
		}
		switch {
		case o.Digit != m.Digit:
			return "mention_wrong_digit_for_colour_on_" + o.Size
		case m.Size != "" && m.Size != o.Size:
			return "mention_wrong_size_for_colour"
		default:
			return "mention_of_an_object_named_already"
		}
	}
	return "mention_of_a_colour_not_in_scene"
}
