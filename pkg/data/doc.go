// Package data provides the datasets the attention models train and are
// evaluated on: MNIST read from the GoMNIST module's IDX files, the canvas
// tasks of the glimpse model (translated and cluttered MNIST), captioned
// multi-digit scenes, Moving-MNIST-style clips, readers for users' own data
// (ImageFolder trees and the CIFAR binary format), and a seeded batch order.
//
// Everything random takes a seed and uses math/rand/v2's PCG, so the same
// seed always produces the same bytes. Generated samples are a pure function
// of (seed, index): a batch does not depend on which other samples share it
// or on the order in which batches are drawn.
//
// The fixtures in testdata/data are written by internal/mkfixtures:
//
//go:generate go run ./internal/mkfixtures -out ../../testdata/data
package data
