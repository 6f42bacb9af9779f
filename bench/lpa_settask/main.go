// Command lpa_settask records the version of the built-in task in LPA
// model and state files written before the config had a "task" field
// (such files are read as the first version, fragments). It rewrites only
// the "config" metadata, through a temporary file and a rename.
//
//	go run ./bench/lpa_settask -task largest FILE...
package main

import (
	"encoding/json"
	"flag"
	"log"

	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
)

func main() {
	task := flag.String("task", data.DefaultTexturedName, "version of the built-in task the files were trained on")
	flag.Parse()
	if _, err := data.TexturedByName(*task); err != nil {
		log.Fatal(err)
	}
	for _, path := range flag.Args() {
		f, err := ckpt.Read(path)
		if err != nil {
			log.Fatal(err)
		}
		// A map keeps every field of the config as it is, known or not.
		var cfg map[string]any
		if err := ckpt.GetJSON(f.Metadata, "config", &cfg); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		if cfg["data"] != "builtin" {
			log.Fatalf("%s: trained on %v, not the built-in task", path, cfg["data"])
		}
		if t, ok := cfg["task"]; ok && t != *task {
			log.Fatalf("%s: already records task %v", path, t)
		}
		cfg["task"] = *task
		b, err := json.Marshal(cfg)
		if err != nil {
			log.Fatal(err)
		}
		f.Metadata["config"] = string(b)
		if err := ckpt.WriteFile(path, f); err != nil {
			log.Fatal(err)
		}
	}
}
