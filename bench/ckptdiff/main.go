// Command ckptdiff compares the tensors of two safetensors files bit for
// bit: it prints every tensor that is in only one of them or whose dtype,
// shape or values differ (floats compared by their bits, so -0 and 0 or
// two NaNs of different payloads count as different), and exits 1 if any
// does. Metadata is not compared: a training run records its timings
// there. It is how a change that must keep training numerics unchanged is
// checked against the files the code before it wrote.
//
//	go run ./bench/ckptdiff A.safetensors B.safetensors
package main

import (
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/attnkit/attn/pkg/ckpt"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ckptdiff A.safetensors B.safetensors")
		os.Exit(2)
	}
	a, err := ckpt.Read(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ckptdiff:", err)
		os.Exit(2)
	}
	b, err := ckpt.Read(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ckptdiff:", err)
		os.Exit(2)
	}
	diffs := compare(a, b)
	for _, d := range diffs {
		fmt.Println(d)
	}
	if len(diffs) > 0 {
		fmt.Printf("%d of %d tensors differ\n", len(diffs), len(union(a, b)))
		os.Exit(1)
	}
	fmt.Printf("%d tensors identical\n", len(a.Tensors))
}

// union returns the tensor names of both files, sorted.
func union(a, b *ckpt.File) []string {
	var names []string
	for n := range a.Tensors {
		names = append(names, n)
	}
	for n := range b.Tensors {
		if _, ok := a.Tensors[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// compare returns one line per tensor that differs.
func compare(a, b *ckpt.File) []string {
	var out []string
	for _, n := range union(a, b) {
		x, okA := a.Tensors[n]
		y, okB := b.Tensors[n]
		switch {
		case !okA:
			out = append(out, fmt.Sprintf("%s: only in %s", n, b.Name))
		case !okB:
			out = append(out, fmt.Sprintf("%s: only in %s", n, a.Name))
		case x.DType != y.DType || !slices.Equal(x.Shape, y.Shape):
			out = append(out, fmt.Sprintf("%s: %v %v vs %v %v", n, x.DType, x.Shape, y.DType, y.Shape))
		case !slices.Equal(x.Int, y.Int):
			out = append(out, fmt.Sprintf("%s: integer values differ", n))
		default:
			if i, maxd := floatDiff(x.Float, y.Float); i >= 0 {
				out = append(out, fmt.Sprintf("%s: first difference at %d (%g vs %g), largest %g", n, i, x.Float[i], y.Float[i], maxd))
			}
		}
	}
	return out
}

// floatDiff returns the first index whose bits differ (-1 if none) and the
// largest absolute difference.
func floatDiff(x, y []float32) (first int, largest float64) {
	first = -1
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			if first < 0 {
				first = i
			}
			largest = max(largest, math.Abs(float64(x[i])-float64(y[i])))
		}
	}
	return first, largest
}
