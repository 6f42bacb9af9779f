package optim_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/attnkit/attn/pkg/autograd"
	"github.com/attnkit/attn/pkg/ckpt"
	"github.com/attnkit/attn/pkg/nn"
	"github.com/attnkit/attn/pkg/optim"
	"github.com/attnkit/attn/pkg/tensor"
)

// A training checkpoint holds the model, the optimizer's moments and the
// schedule in one safetensors file.
func Example_checkpoint() {
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.safetensors")

	rng := rand.New(rand.NewPCG(1, 2))
	model := nn.NewLinear(rng, "fc", 3, 1, true)
	opt, _ := optim.NewAdamW(model.Params(), optim.DefaultAdamW())
	sched, _ := optim.NewStepLR(opt, 2, 0.5)
	x := autograd.Const(tensor.FromData([]float32{1, 2, 3}, 1, 3))
	for step := 0; step < 3; step++ {
		tp := autograd.NewTape()
		opt.ZeroGrad()
		tp.Backward(tp.Sum(tp.Square(model.Forward(tp, x))))
		opt.Step()
		sched.Step()
	}

	f := ckpt.NewFile()
	_ = nn.PutState(f, model)
	_ = opt.SaveState(f)
	_ = ckpt.PutJSON(f.Metadata, "schedule", sched)
	_ = ckpt.PutJSON(f.Metadata, "step", 3)
	if err := ckpt.WriteFile(path, f); err != nil {
		fmt.Println(err)
		return
	}

	// Resume into fresh objects.
	model2 := nn.NewLinear(rand.New(rand.NewPCG(9, 9)), "fc", 3, 1, true)
	g, _ := nn.Load(path, model2, optim.TensorPrefix)
	opt2, _ := optim.NewAdamW(model2.Params(), optim.DefaultAdamW())
	_ = opt2.LoadState(g)
	sched2, _ := optim.NewStepLR(opt2, 2, 0.5)
	_ = ckpt.GetJSON(g.Metadata, "schedule", sched2)
	var step int
	_ = ckpt.GetJSON(g.Metadata, "step", &step)
	fmt.Println("step", step, "lr", opt2.LR(), "same weights", model2.Weight.Value.Data[0] == model.Weight.Value.Data[0])
	// Output: step 3 lr 0.0005 same weights true
}
