// Command ram times the glimpse model (pkg/ram) for bench/ram.sh, and runs
// it at fixed locations for the PyTorch twin's checks.
//
//	go run ./bench/ram bench -tasks mnist,cluttered100 -threads 1,2 -json
//	go run ./bench/ram bench -tasks cluttered100 -threads 1 -cpuprofile cpu.out
//	go run ./bench/ram bench -tasks cluttered60 -core lstm -locator-hidden 128
//	go run ./bench/ram forward -in in.safetensors -model m.safetensors -out logits.safetensors
//
// bench prints one record per (task, threads): training samples/s of one
// step as pkg/ram.Train takes it (Forward with sampled locations, the
// hybrid loss, Backward, Adam), over -steps steps after -warmup steps, on
// batches rendered by the task's generator before the clock starts; the
// time to render a batch is measured apart and reported as gen_ms_per_batch
// and in samples_per_s_with_data. Then the median latency of a greedy
// batch-1 Predict (softmax included) over -predict runs.
//
// forward reads images [N, S·S] and locations [T, N, 2] and a ram.Config
// (metadata "config") from -in, builds ram.New(config, -seed), runs
// ForwardAt, saves the model with Model.Save to -model and the logits
// [N, classes] to -out. bench/torch/ram.py --golden uses it to check that
// a Go checkpoint loads into the twin with the same logits.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/data"
	"github.com/attnkit/attn/pkg/gemm"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/ram"
	"github.com/attnkit/attn/pkg/tensor"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ram bench|forward [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "bench":
		err = benchCmd(os.Args[2:])
	case "forward":
		err = forwardCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (want bench or forward)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ram:", err)
		os.Exit(1)
	}
}

// record is the JSON line of one (task, threads) measurement.
type record struct {
	Impl               string  `json:"impl"`
	Task               string  `json:"task"`
	Threads            int     `json:"threads"`
	Batch              int     `json:"batch"`
	Steps              int     `json:"steps"`
	SamplesPerS        float64 `json:"samples_per_s"`
	GenMsPerBatch      float64 `json:"gen_ms_per_batch"`
	SamplesPerSWithGen float64 `json:"samples_per_s_with_data"`
	PredictUs          float64 `json:"predict_us"`
	Kernel             string  `json:"gemm_kernel"`
	Core               string  `json:"core"`
	LocatorHidden      int     `json:"locator_hidden"`
}

func benchCmd(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	tasks := fs.String("tasks", strings.Join(ram.Tasks, ","), "comma-separated tasks")
	threadList := fs.String("threads", "1,2", "comma-separated thread counts (GOMAXPROCS and gemm threads)")
	batch := fs.Int("batch", 128, "training batch size")
	steps := fs.Int("steps", 50, "timed training steps")
	warmup := fs.Int("warmup", 5, "untimed training steps first")
	predict := fs.Int("predict", 200, "timed batch-1 predictions (median reported)")
	seed := fs.Uint64("seed", 1, "weights, data and policy noise")
	asJSON := fs.Bool("json", false, "JSON lines instead of text")
	core := fs.String("core", "rnn", "recurrent core: rnn (the paper) or lstm")
	locHidden := fs.Int("locator-hidden", 0, "hidden units in the location network (0: the paper's one linear layer)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var threads []int
	for _, s := range strings.Split(*threadList, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("-threads: %q is not a positive count", s)
		}
		threads = append(threads, n)
	}
	digits, err := data.LoadMNIST("train")
	if err != nil {
		return err
	}
	for _, name := range strings.Split(*tasks, ",") {
		for _, th := range threads {
			rec, err := benchTask(name, *core, *locHidden, th, *batch, *steps, *warmup, *predict, *seed, digits)
			if err != nil {
				return err
			}
			if *asJSON {
				b, _ := json.Marshal(rec)
				fmt.Println(string(b))
			} else {
				fmt.Printf("%-13s threads %d batch %d: %7.0f samples/s (%7.0f with data generation, %.1f ms/batch), predict %.0f µs\n",
					rec.Task, rec.Threads, rec.Batch, rec.SamplesPerS, rec.SamplesPerSWithGen, rec.GenMsPerBatch, rec.PredictUs)
			}
		}
	}
	return nil
}

func benchTask(name, core string, locHidden, threads, batch, steps, warmup, predict int, seed uint64, digits *data.Digits) (record, error) {
	runtime.GOMAXPROCS(threads)
	gemm.SetThreads(threads)
	cfg, err := ram.TaskConfig(name)
	if err != nil {
		return record{}, err
	}
	cfg.Core, cfg.LocatorHidden = core, locHidden
	task, err := data.TaskByName(name)
	if err != nil {
		return record{}, err
	}
	gen, err := data.NewGenerator(task, digits, seed)
	if err != nil {
		return record{}, err
	}
	m, err := ram.New(cfg, seed)
	if err != nil {
		return record{}, err
	}
	o, err := optim.NewAdam(m.Params(), optim.DefaultAdam())
	if err != nil {
		return record{}, err
	}

	// A few batches rendered up front; the steps cycle through them. The
	// rendering of the same batches is timed on its own.
	const nb = 4
	pix := task.Pixels()
	images := make([][]float32, nb)
	labels := make([][]int, nb)
	idx := make([]int, batch)
	genStart := time.Now()
	for b := range nb {
		for i := range idx {
			idx[i] = (b*batch + i) % gen.Len()
		}
		images[b] = make([]float32, batch*pix)
		labels[b] = make([]int, batch)
		gen.Batch(idx, images[b])
		gen.Labels(idx, labels[b])
	}
	genPerBatch := time.Since(genStart).Seconds() / nb

	tp := autograd.NewTape()
	step := func(i int) {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		o.ZeroGrad()
		ep := m.Forward(tp, images[i%nb], batch, 1, ram.Sample, rng)
		loss, _ := m.Loss(tp, ep, labels[i%nb])
		tp.Backward(loss)
		tp.Reset()
		o.Step()
	}
	for i := range warmup {
		step(i)
	}
	start := time.Now()
	for i := range steps {
		step(warmup + i)
	}
	el := time.Since(start).Seconds()

	inf := autograd.NewInference()
	rng := rand.New(rand.NewPCG(seed, 99))
	one := images[0][:pix]
	var lat []float64
	for i := range predict + 5 {
		t0 := time.Now()
		m.Predict(inf, one, 1, 1, 0, rng)
		if i >= 5 {
			lat = append(lat, time.Since(t0).Seconds())
		}
	}
	slices.Sort(lat)
	var med float64
	if len(lat) > 0 {
		med = lat[len(lat)/2]
		if len(lat)%2 == 0 {
			med = (lat[len(lat)/2-1] + med) / 2
		}
	}
	return record{
		Impl: "go", Task: name, Threads: threads, Batch: batch, Steps: steps,
		SamplesPerS:        float64(steps*batch) / el,
		GenMsPerBatch:      genPerBatch * 1e3,
		SamplesPerSWithGen: float64(steps*batch) / (el + float64(steps)*genPerBatch),
		PredictUs:          med * 1e6,
		Kernel:             gemm.Kernel(),
		Core:               core,
		LocatorHidden:      locHidden,
	}, nil
}

func forwardCmd(args []string) error {
	fs := flag.NewFlagSet("forward", flag.ContinueOnError)
	in := fs.String("in", "", "safetensors with images [N,S·S], locs [T,N,2] and metadata config")
	modelPath := fs.String("model", "", "where Model.Save writes the model")
	out := fs.String("out", "", "where the logits [N,classes] go")
	seed := fs.Uint64("seed", 1, "ram.New seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *modelPath == "" || *out == "" {
		return fmt.Errorf("forward needs -in, -model and -out")
	}
	f, err := ckpt.Read(*in)
	if err != nil {
		return err
	}
	var cfg ram.Config
	if err := ckpt.GetJSON(f.Metadata, "config", &cfg); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	images, err := f.Tensor("images")
	if err != nil {
		return err
	}
	locs, err := f.Tensor("locs")
	if err != nil {
		return err
	}
	n := images.Shape[0]
	if len(locs.Shape) != 3 || locs.Shape[0] != cfg.Glimpses || locs.Shape[1] != n || locs.Shape[2] != 2 {
		return fmt.Errorf("%s: locs shape %v, want [%d %d 2]", *in, locs.Shape, cfg.Glimpses, n)
	}
	m, err := ram.New(cfg, *seed)
	if err != nil {
		return err
	}
	path := make([][]float32, cfg.Glimpses)
	for t := range path {
		path[t] = locs.Data[t*2*n : (t+1)*2*n]
	}
	tp := autograd.NewInference()
	ep := m.ForwardAt(tp, images.Data, n, 1, path)
	outs := map[string]*tensor.Tensor{"logits": tensor.FromData(slices.Clone(ep.Logits.Value.Data), n, cfg.Classes)}
	if cfg.LearnedFirst {
		// With a learned first location the greedy episode is
		// deterministic, so the twin can replay the location network too.
		g := m.Forward(tp, images.Data, n, 1, ram.Greedy, nil)
		outs["greedy_logits"] = tensor.FromData(slices.Clone(g.Logits.Value.Data), n, cfg.Classes)
		outs["greedy_locs"] = tensor.FromData(slices.Concat(g.Locs...), cfg.Glimpses, n, 2)
	}
	if err := m.Save(*modelPath); err != nil {
		return err
	}
	return ckpt.Write(*out, outs, map[string]string{})
}
