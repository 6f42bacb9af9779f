package caption

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/attnkit/attn/pkg/data"
)

// KarpathyItem is one image of a captioning dataset with its references.
type KarpathyItem struct {
	Image string     // path of the image file: imageDir/[filepath/]filename
	Split string     // the split as the file names it: train, restval, val or test
	Refs  [][]string // reference captions as tokens, in file order
}

// KarpathyData is a captioning dataset in the Karpathy-split JSON format,
// grouped by split.
type KarpathyData struct {
	Dataset string // the file's "dataset" field: "coco", "flickr8k", ...
	// Train holds the "train" images and, after them, the "restval" ones:
	// restval is the part of COCO's validation images the split leaves for
	// training, and the usual practice in captioning code is to train on
	// it.
	Train []KarpathyItem
	Val   []KarpathyItem
	Test  []KarpathyItem
}

// karpathyFile mirrors the JSON file; fields the reader does not need
// (imgid, sentid, cocoid, raw, ...) are ignored.
type karpathyFile struct {
	Dataset string `json:"dataset"`
	Images  []struct {
		Filepath  string `json:"filepath"` // COCO only: "train2014" or "val2014"
		Filename  string `json:"filename"`
		Split     string `json:"split"`
		Sentences []struct {
			Tokens []string `json:"tokens"`
		} `json:"sentences"`
	} `json:"images"`
}

// ReadKarpathy reads a captioning dataset in the JSON format of Karpathy
// and Fei-Fei's splits of Flickr8k, Flickr30k and COCO (dataset_coco.json,
// dataset_flickr8k.json, ...):
//
//	{"dataset": "coco",
//	 "images": [{"filepath": "val2014", "filename": "x.jpg", "split": "test",
//	             "sentences": [{"tokens": ["a", "man", ...], "raw": "A man ..."}, ...]}, ...]}
//
// Image paths are imageDir joined with filepath (when present) and
// filename; every image file must exist, so a wrong imageDir is caught
// here rather than during training, and a path that leaves imageDir
// (through ".." or by being absolute) is refused. Images are not decoded.
// The tokens are used as they are (the published files are already
// lower-cased and tokenized); a sentence without tokens, an image without
// sentences, an unknown split or a missing image is an error naming the
// file and the entry. "restval" images join Train (see KarpathyData).
func ReadKarpathy(path, imageDir string) (*KarpathyData, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("captions: %w", err)
	}
	var f karpathyFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("captions %s: %w", path, err)
	}
	if len(f.Images) == 0 {
		return nil, fmt.Errorf("captions %s: no images (want a Karpathy-split JSON file with an \"images\" list)", path)
	}
	d := &KarpathyData{Dataset: f.Dataset}
	var restval []KarpathyItem
	for i, im := range f.Images {
		where := func() string { return fmt.Sprintf("captions %s: images[%d] (%q)", path, i, im.Filename) }
		if im.Filename == "" {
			return nil, fmt.Errorf("%s: no filename", where())
		}
		// A dataset file names images inside the image folder; one that
		// climbs out of it (or names an absolute path) would make training
		// read whatever file it points at.
		rel := filepath.Join(im.Filepath, im.Filename)
		if !filepath.IsLocal(rel) {
			return nil, fmt.Errorf("%s: image path %q leaves the image folder", where(), rel)
		}
		item := KarpathyItem{Image: filepath.Join(imageDir, rel), Split: im.Split}
		if len(im.Sentences) == 0 {
			return nil, fmt.Errorf("%s: no sentences", where())
		}
		for s, sent := range im.Sentences {
			if len(sent.Tokens) == 0 {
				return nil, fmt.Errorf("%s: sentences[%d]: no tokens", where(), s)
			}
			for k, tok := range sent.Tokens {
				if tok == "" {
					return nil, fmt.Errorf("%s: sentences[%d]: token %d is empty", where(), s, k)
				}
			}
			item.Refs = append(item.Refs, sent.Tokens)
		}
		if st, err := os.Stat(item.Image); err != nil {
			return nil, fmt.Errorf("%s: image: %w", where(), err)
		} else if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: image %s is not a file", where(), item.Image)
		}
		switch im.Split {
		case "train":
			d.Train = append(d.Train, item)
		case "restval":
			restval = append(restval, item)
		case "val":
			d.Val = append(d.Val, item)
		case "test":
			d.Test = append(d.Test, item)
		default:
			return nil, fmt.Errorf("%s: split %q, want train, restval, val or test", where(), im.Split)
		}
	}
	d.Train = append(d.Train, restval...)
	return d, nil
}

// Split returns the items of one split by name: "train" (restval
// included), "val" or "test".
func (d *KarpathyData) Split(name string) ([]KarpathyItem, error) {
	switch name {
	case "train":
		return d.Train, nil
	case "val":
		return d.Val, nil
	case "test":
		return d.Test, nil
	}
	return nil, fmt.Errorf("captions: no split %q (want train, val or test)", name)
}

// Vocab builds the vocabulary of the training split (restval included):
// the words that occur at least minCount times in its references (every
// word when minCount ≤ 1), most frequent first, ties in byte order, after
// <pad> <start> <end> <unk> (see data.BuildVocab). Words of the val and
// test splits are left out, so they are <unk> as they would be for any
// unseen image.
func (d *KarpathyData) Vocab(minCount int) *data.Vocab {
	var caps [][]string
	for _, it := range d.Train {
		caps = append(caps, it.Refs...)
	}
	return data.BuildVocab(caps, max(1, minCount))
}
