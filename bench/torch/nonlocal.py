#!/usr/bin/python3
"""Golden fixtures of the non-local block twin (attnkit_torch.nonlocal_block).

The twin itself, a PyTorch twin of pkg/nonlocal.Block (the non-local block
of Wang et al., CVPR 2018), is python/attnkit_torch/nonlocal_block.py; this
script drives it from the repository root with Debian's interpreter (it has
torch 1.13 and numpy):

    /usr/bin/python3 bench/torch/nonlocal.py --golden        # write testdata/nonlocal/*.safetensors, then check Go's
    /usr/bin/python3 bench/torch/nonlocal.py --check F...    # check fixtures (Go's or ours) against the twin

--golden writes one fixture per case: the twin's weights (random batch-norm
affine and running statistics, so the block is not the identity), an input,
the output and attention weights in evaluation mode, and the output,
weights, input and parameter gradients for a fixed upstream gradient and
the updated running statistics of one training-mode pass.
pkg/nonlocal/golden_test.go (TestGoldenTwin) loads them. Then, unless
--skip-go, it asks Go (go test ./pkg/nonlocal -run TestTwinWritesGoFixtures
with NONLOCAL_TWIN_OUT set) to write the same kind of fixture with Go's own
initialisation, and checks every tensor of it with the twin (--check).
Tolerance both ways: |got - want| <= 1e-5 + 1e-4 |want|, plus 1e-6 of the
fixture's largest gradient for gradients (see GRAD_SCALE_TOL).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(ROOT, "testdata", "nonlocal")
sys.path.insert(0, os.path.join(ROOT, "python"))
from attnkit_torch.nonlocal_block import NonLocalBlock  # noqa: E402
from attnkit_torch.safetensors import read_safetensors, write_safetensors  # noqa: E402

ATOL, RTOL = 1e-5, 1e-4
# Gradients also get GRAD_SCALE_TOL times the fixture's largest gradient:
# the batch norm's batch statistics make some gradients (W_z's bias, and g's
# and phi's for the softmax forms: zero in exact arithmetic) cancellations of
# terms that large, leaving a float32 residue on both sides
# (pkg/nonlocal/golden_test.go, gradScaleTol).
GRAD_SCALE_TOL = 1e-6
# Gradients that are zero in exact arithmetic (zero_gradients) hold only
# rounding on both sides: each side must be below ZERO_GRAD_TOL times the
# largest gradient.
ZERO_GRAD_TOL = 1e-4


def zero_gradients(pairwise):
    """pkg/nonlocal zeroGradients: the batch norm removes any per-channel
    constant of W_z y (W_z's bias); softmax rows sum to one (g's bias) and
    ignore a per-row constant (phi's bias)."""
    return {"gaussian": ["grad.w.bias", "grad.g.bias"],
            "embedded": ["grad.w.bias", "grad.g.bias", "grad.phi.bias"]}.get(pairwise, ["grad.w.bias"])


# name, seed, config, input shape (N, C, [T,] H, W); H != W catches swapped axes
CASES = [
    ("gaussian_2d", 1, dict(pairwise="gaussian", dims=2), (2, 6, 4, 6)),
    ("embedded_2d", 2, dict(pairwise="embedded", dims=2), (2, 6, 4, 6)),
    ("dot_2d", 3, dict(pairwise="dot", dims=2), (2, 6, 4, 6)),
    ("concat_2d", 4, dict(pairwise="concat", dims=2), (2, 6, 4, 6)),
    ("gaussian_3d", 5, dict(pairwise="gaussian", dims=3), (2, 6, 3, 4, 2)),
    ("embedded_3d", 6, dict(pairwise="embedded", dims=3), (2, 6, 3, 4, 2)),
    ("dot_3d", 7, dict(pairwise="dot", dims=3), (2, 6, 3, 4, 2)),
    ("concat_3d", 8, dict(pairwise="concat", dims=3), (2, 6, 3, 4, 2)),
    ("gaussian_2d_sub_scale", 9, dict(pairwise="gaussian", dims=2, subsample=True, scale=True), (2, 6, 4, 6)),
    ("embedded_2d_sub_scale", 10, dict(pairwise="embedded", dims=2, subsample=True, scale=True), (2, 6, 4, 6)),
    ("dot_3d_sub_inner4", 11, dict(pairwise="dot", dims=3, subsample=True, inner=4), (2, 6, 2, 4, 6)),
    ("embedded_3d_sub_scale", 12, dict(pairwise="embedded", dims=3, subsample=True, scale=True), (2, 6, 2, 4, 6)),
    ("concat_3d_sub", 13, dict(pairwise="concat", dims=3, subsample=True), (2, 6, 2, 4, 6)),
]


def full_config(over):
    cfg = dict(channels=6, inner=0, pairwise="embedded", dims=2, subsample=False, scale=False)
    cfg.update(over)
    return cfg


def run_block(model, x, grad_output):
    """Evaluation pass, then one training pass with backward: the golden.*
    and grad.* tensors of a fixture. Leaves the model's state as it was."""
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    out = {}
    model.eval()
    with torch.no_grad():
        z, att = model(x)
    out["golden.eval.output"], out["golden.eval.weights"] = z, att
    model.train()
    model.zero_grad()
    xg = x.clone().requires_grad_(True)
    z, att = model(xg)
    z.backward(grad_output)
    out["golden.output"], out["golden.weights"] = z.detach(), att.detach()
    out["grad.input"] = xg.grad
    for k, p in model.named_parameters():
        out["grad." + k] = p.grad.clone()
    out["golden.after.bn.running_mean"] = model.bn.running_mean.clone()
    out["golden.after.bn.running_var"] = model.bn.running_var.clone()
    model.load_state_dict(state)
    return out


TENSORS = {
    "<param>, bn.<buffer>": "the block's state dict before the pass (pkg/nonlocal.Block names)",
    "golden.input": "[N, C, (T,) H, W]",
    "golden.grad_output": "upstream gradient of the training-mode output",
    "golden.eval.output": "z in evaluation mode (running statistics)",
    "golden.eval.weights": "[N, P, K] f/C in evaluation mode",
    "golden.output": "z in training mode (batch statistics)",
    "golden.weights": "[N, P, K] f/C in training mode",
    "grad.input": "d sum(output * grad_output) / d input",
    "grad.<param>": "d sum(output * grad_output) / d param",
    "golden.after.bn.running_mean": "running mean after the training pass",
    "golden.after.bn.running_var": "running variance after the training pass",
}


def sharpen(model):
    """Scale theta, phi, g and w_f by 3. At the default initialisation the
    attention is nearly uniform, W_z y hardly varies within a channel, and
    the batch norm's 1/sigma then amplifies float32 rounding in every
    gradient beyond the 1e-4 tolerance; pkg/nonlocal's TestTwinWritesGoFixtures
    does the same."""
    for name in ("theta", "phi", "g", "concat_project"):
        if hasattr(model, name):
            getattr(model, name).weight.mul_(3)


def golden_case(name, seed, over, shape):
    cfg = full_config(over)
    torch.manual_seed(seed)
    model = NonLocalBlock(cfg)
    with torch.no_grad():
        model.bn.weight.uniform_(0.5, 1.5)
        model.bn.bias.uniform_(-0.2, 0.2)
        model.bn.running_mean.uniform_(-0.3, 0.3)
        model.bn.running_var.uniform_(0.5, 2.0)
        model.bn.num_batches_tracked.fill_(7)
        sharpen(model)
    g = torch.Generator().manual_seed(1000 + seed)
    x = torch.randn(*shape, generator=g)
    grad_output = torch.randn(*shape, generator=g)
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tensors.update(run_block(model, x, grad_output))
    tensors["golden.input"], tensors["golden.grad_output"] = x, grad_output
    meta = {
        "description": f"pkg/nonlocal.Block twin (bench/torch/nonlocal.py), case {name}",
        "generator": "bench/torch/nonlocal.py --golden", "torch": torch.__version__,
        "config": json.dumps(cfg, sort_keys=True), "tensors": json.dumps(TENSORS, sort_keys=True),
    }
    path = os.path.join(OUT_DIR, name + ".safetensors")
    write_safetensors(path, tensors, meta)
    return path


def check(path):
    """Load a fixture's state into the twin, rerun it and compare every
    golden.* and grad.* tensor. Returns the largest |diff| and the largest
    |diff| / tolerance (gradients that are zero in exact arithmetic are
    checked against zero instead and count in neither)."""
    tensors, meta = read_safetensors(path)
    cfg = json.loads(meta["config"])
    model = NonLocalBlock(cfg)
    state = {k: v for k, v in tensors.items() if not k.startswith(("golden.", "grad."))}
    model.load_state_dict(state, strict=True)
    got = run_block(model, tensors["golden.input"], tensors["golden.grad_output"])
    grad_scale = max(v.abs().max().item() for k, v in tensors.items() if k.startswith("grad."))
    worst, used = 0.0, 0.0
    for k, g in got.items():
        if k not in tensors:
            raise AssertionError(f"{path}: no tensor {k}")
        want = tensors[k]
        if tuple(g.shape) != tuple(want.shape):
            raise AssertionError(f"{path}: {k} has shape {tuple(want.shape)}, the twin gives {tuple(g.shape)}")
        if k in zero_gradients(cfg["pairwise"]):
            bound = ZERO_GRAD_TOL * grad_scale
            for side, v in (("twin", g), ("fixture", want)):
                if v.abs().max().item() > bound:
                    raise AssertionError(f"{path}: {k} is {v.abs().max().item():.3g} on the {side} side, want 0 "
                                         f"(within {bound:.3g})")
            continue
        err = (g - want).abs()
        worst = max(worst, err.max().item())
        tol = ATOL + (GRAD_SCALE_TOL * grad_scale if k.startswith("grad.") else 0) + RTOL * want.abs()
        used = max(used, (err / tol).max().item())
        if not bool((err <= tol).all()):
            raise AssertionError(f"{path}: {k} differs by up to {err.max().item():.3g}")
    missing = {k for k in tensors if k.startswith(("golden.", "grad."))} - set(got) - \
        {"golden.input", "golden.grad_output"}
    if missing:
        raise AssertionError(f"{path}: the twin does not check {sorted(missing)}")
    return worst, used


def check_go(paths_dir=None):
    """Ask Go to write fixtures with its own initialisation; check them."""
    with tempfile.TemporaryDirectory() as tmp:
        out = paths_dir or tmp
        env = dict(os.environ, NONLOCAL_TWIN_OUT=out)
        subprocess.run(["go", "test", "./pkg/nonlocal", "-run", "^TestTwinWritesGoFixtures$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        names = sorted(f for f in os.listdir(out) if f.endswith(".safetensors"))
        if not names:
            raise AssertionError("Go wrote no fixture")
        worst, used = 0.0, 0.0
        for f in names:
            w, u = check(os.path.join(out, f))
            worst, used = max(worst, w), max(used, u)
            print(f"Go {f}: twin agrees, max |diff| {w:.2e}, {u:.2f} of the tolerance", file=sys.stderr)
        print(f"Go -> twin: {len(names)} fixtures, max |diff| {worst:.2e}, at most {used:.2f} of the tolerance")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/nonlocal/*.safetensors and check Go's")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--check", nargs="*", metavar="FILE", help="check fixtures against the twin")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.golden:
        os.makedirs(OUT_DIR, exist_ok=True)
        worst = 0.0
        for name, seed, over, shape in CASES:
            path = golden_case(name, seed, over, shape)
            worst = max(worst, check(path)[0])  # the file reads back and reruns bit for bit
        print(f"wrote {len(CASES)} fixtures to testdata/nonlocal (rerun max |diff| {worst:.2e})")
        if not args.skip_go:
            check_go()
    if args.check:
        for p in args.check:
            w, u = check(p)
            print(f"{p}: twin agrees, max |diff| {w:.2e}, {u:.2f} of the tolerance")
    if not args.golden and args.check is None:
        ap.print_help()


if __name__ == "__main__":
    main()
