// Command gemm times one SGEMM shape and prints the result as JSON (or a
// line of text), so that bench/gemm.sh can tabulate this package against
// gonum and OpenBLAS with one harness.
//
//	go run ./bench/gemm -m 1024 -n 1024 -k 1024 -threads 2 -json
//	go run ./bench/gemm -m 128 -n 784 -k 256 -threads 1 -impl gonum -json
//
// Timing: after one warm-up call, each of -runs runs repeats the product
// until -mintime has passed and records the mean time per call; "gflops" is
// the best run (the least disturbed by other processes on a shared machine)
// and "gflops_median" the median run. A flop count of 2·m·n·k per call.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/attnkit/attn/pkg/gemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// result is the JSON record of one measurement.
type result struct {
	Impl         string  `json:"impl"`
	Kernel       string  `json:"kernel"`
	M            int     `json:"m"`
	N            int     `json:"n"`
	K            int     `json:"k"`
	TransA       bool    `json:"trans_a"`
	TransB       bool    `json:"trans_b"`
	Threads      int     `json:"threads"`
	GFLOPS       float64 `json:"gflops"`
	GFLOPSMedian float64 `json:"gflops_median"`
	Stat         string  `json:"stat"`
	Runs         int     `json:"runs"`
	CallsPerRun  int     `json:"calls_per_run"`
	BestSeconds  float64 `json:"best_seconds_per_call"`
}

func main() {
	m := flag.Int("m", 1024, "rows of C")
	n := flag.Int("n", 1024, "columns of C")
	k := flag.Int("k", 1024, "inner dimension")
	transA := flag.Bool("ta", false, "use op(A) = Aᵀ")
	transB := flag.Bool("tb", false, "use op(B) = Bᵀ")
	threads := flag.Int("threads", runtime.NumCPU(), "threads (also sets GOMAXPROCS)")
	kernel := flag.String("kernel", "", "force a micro-kernel: avx512, avx2 or generic (impl ours)")
	impl := flag.String("impl", "ours", "implementation: ours or gonum (gonum.org/v1/gonum/blas/blas32)")
	runs := flag.Int("runs", 5, "timed runs; the best and the median are reported")
	minTime := flag.Duration("mintime", 200*time.Millisecond, "minimum duration of one run")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()

	if err := bench(*m, *n, *k, *transA, *transB, *threads, *kernel, *impl, *runs, *minTime, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "bench/gemm:", err)
		os.Exit(1)
	}
}

func bench(m, n, k int, transA, transB bool, threads int, kernel, impl string, runs int, minTime time.Duration, asJSON bool) error {
	if m < 1 || n < 1 || k < 1 || threads < 1 || runs < 1 {
		return fmt.Errorf("need m, n, k, threads, runs ≥ 1")
	}
	runtime.GOMAXPROCS(threads)
	r := rand.New(rand.NewPCG(1, 2))
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}

	res := result{Impl: impl, M: m, N: n, K: k, TransA: transA, TransB: transB, Threads: threads, Runs: runs, Stat: "best of runs"}
	var call func()
	switch impl {
	case "ours":
		if kernel != "" {
			if err := gemm.SetKernel(kernel); err != nil {
				return err
			}
		}
		gemm.SetThreads(threads)
		res.Kernel = gemm.Kernel()
		call = func() { gemm.Sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, n) }
	case "gonum":
		res.Kernel = "gonum"
		ta, tb := blas.NoTrans, blas.NoTrans
		ar, ac, br, bc := m, k, k, n
		if transA {
			ta, ar, ac = blas.Trans, k, m
		}
		if transB {
			tb, br, bc = blas.Trans, n, k
		}
		A := blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a}
		B := blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b}
		C := blas32.General{Rows: m, Cols: n, Stride: n, Data: c}
		call = func() { blas32.Gemm(ta, tb, 1, A, B, 0, C) }
	default:
		return fmt.Errorf("unknown -impl %q (want ours or gonum)", impl)
	}

	call() // warm-up: page in, pack buffers, worker goroutines
	// Calibrate the number of calls per run to last about minTime.
	calls := 1
	for {
		start := time.Now()
		for i := 0; i < calls; i++ {
			call()
		}
		if el := time.Since(start); el >= minTime/4 || calls >= 1<<20 {
			calls = max(1, int(float64(calls)*float64(minTime)/float64(max(el, time.Microsecond))))
			break
		}
		calls *= 4
	}
	res.CallsPerRun = calls
	flops := 2 * float64(m) * float64(n) * float64(k)
	rates := make([]float64, runs)
	best := 0.0
	for ri := range rates {
		start := time.Now()
		for i := 0; i < calls; i++ {
			call()
		}
		per := time.Since(start).Seconds() / float64(calls)
		rates[ri] = flops / per / 1e9
		if best == 0 || per < best {
			best = per
		}
	}
	slices.Sort(rates)
	res.GFLOPS = rates[len(rates)-1]
	res.GFLOPSMedian = rates[len(rates)/2]
	res.BestSeconds = best

	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("%s/%s %dx%dx%d threads=%d: %.1f GFLOP/s best, %.1f median (%d runs × %d calls)\n",
		res.Impl, res.Kernel, m, n, k, threads, res.GFLOPS, res.GFLOPSMedian, runs, calls)
	return nil
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}
