// Command glimpse_valsel compares glimpse models on the validation digits
// (the last 5,000 MNIST training digits, never trained on) placed on the
// task's canvas with several seeds: the training run's own placement
// (ram.ValSeed) and others. One placement's best-of-epochs error is a
// noisy pick; the mean over placements compares candidate models with
// less noise, without touching the test digits.
//
//	go run ./bench/glimpse_valsel [-seeds 4] MODEL...
//
// MODEL is a .safetensors file or embedded:TASK.
package main

import (
	"flag"
	"fmt"
	"log"
	"strings"

	rammodels "github.com/attnkit/attn/models/ram"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/ram"
)

func main() {
	seeds := flag.Int("seeds", 4, "placements of the validation digits (the first is the training run's)")
	threads := flag.Int("threads", 2, "worker threads")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: glimpse_valsel [-seeds N] MODEL...")
	}
	gemm.SetThreads(1)
	val, err := data.LoadMNIST("val")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print("| model |")
	for s := 0; s < *seeds; s++ {
		fmt.Printf(" placement %d |", s)
	}
	fmt.Println(" mean |")
	fmt.Print("|---|")
	for s := 0; s <= *seeds; s++ {
		fmt.Print("---:|")
	}
	fmt.Println()
	for _, name := range flag.Args() {
		m, err := load(name)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		task, err := data.TaskByName(m.Cfg.Task)
		if err != nil {
			log.Fatal(err)
		}
		v, err := ram.NewValidator(task, val, *seeds, *threads)
		if err != nil {
			log.Fatal(err)
		}
		per, mean := v.Errors(m)
		fmt.Printf("| %s |", name)
		for _, e := range per {
			fmt.Printf(" %.2f%% |", e)
		}
		fmt.Printf(" %.3f%% |\n", mean)
	}
}

func load(name string) (*ram.Model, error) {
	if task, ok := strings.CutPrefix(name, "embedded:"); ok {
		return rammodels.Load(task)
	}
	return ram.Load(name)
}
