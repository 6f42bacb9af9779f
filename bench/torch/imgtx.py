#!/usr/bin/python3
"""Golden fixtures and timing of the Image Transformer twin (attnkit_torch.imgtx).

The twin itself, a PyTorch twin of pkg/imgtx's local-1D Image Transformer,
is python/attnkit_torch/imgtx.py; this script drives it from the repository
root with Debian's interpreter (torch 1.13 and numpy):

    /usr/bin/python3 bench/torch/imgtx.py --golden   # write testdata/imgtx/imgtx_*.safetensors
    /usr/bin/python3 bench/torch/imgtx.py --bench    # training images/s
    /usr/bin/python3 bench/torch/imgtx.py --bench --blocked   # the same with block-by-block attention

--golden writes the fixtures pkg/imgtx/golden_test.go compares against
(weights, a batch of images and labels, the logits, the mean NLL and
every parameter gradient), then checks the other direction: it asks Go
(go test ./pkg/imgtx -run TestTwinWritesGoCheckpoint, with IMGTX_TWIN_OUT
set) to build and save a model with Go's initialisation and its logits on
a batch; the twin loads it and must reproduce them within
|diff| <= 1e-5 + 1e-4 |want|.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
from attnkit_torch.imgtx import LEVELS, ImageTransformer, load_model, nll, save_model  # noqa: E402

GOLDEN_DIR = os.path.join(ROOT, "testdata", "imgtx")


def tiny_config(**over):
    """A small pkg/imgtx Config (Go JSON names) for the fixtures."""
    cfg = dict(arch="transformer", data="mnist", height=4, width=5, channels=1, cond="none",
               attention="local1d", block_len=3, mem_len=4, layers=2, embed=8, heads=2, ff=12,
               prenorm=True, positions="sinusoidal", dropout=0)
    cfg.update(over)
    return cfg


CASES = [
    ("imgtx_local1d", 1, tiny_config()),
    ("imgtx_local1d_rgb_postnorm_learned", 2, tiny_config(height=3, width=3, channels=3, prenorm=False,
                                                           positions="learned", block_len=5, mem_len=6)),
    ("imgtx_local1d_class", 3, tiny_config(cond="class", classes=3, heads=4)),
]


def golden_case(name, seed, cfg):
    torch.manual_seed(seed)
    model = ImageTransformer(cfg)
    with torch.no_grad():  # biases are zero at init; make them count
        for k, p in model.named_parameters():
            if k.endswith("bias"):
                p.normal_(0, 0.2)
    pix = torch.randint(0, LEVELS, (2, model.n))
    labels = torch.randint(0, cfg.get("classes", 1), (2,))
    logits = model(pix, labels)
    loss = nll(logits, pix)
    loss.backward()
    extra = {"golden.pixels": pix, "golden.labels": labels, "golden.logits": logits.detach(),
             "golden.loss": loss.detach().reshape(1)}
    for k, p in model.named_parameters():
        extra["grad." + k] = p.grad.detach().clone()
    save_model(model, os.path.join(GOLDEN_DIR, name + ".safetensors"), extra)
    print(f"wrote {name}.safetensors: loss {loss.item():.6f}", file=sys.stderr)


def check_go_checkpoint(cfg, label):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "go.safetensors")
        env = dict(os.environ, IMGTX_TWIN_OUT=out, IMGTX_TWIN_CONFIG=json.dumps(cfg))
        subprocess.run(["go", "test", "./pkg/imgtx", "-run", "^TestTwinWritesGoCheckpoint$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        model, rest = load_model(out)
        with torch.no_grad():
            logits = model(rest["twin.pixels"], rest["twin.labels"])
            loss = nll(logits, rest["twin.pixels"])
        worst = 0.0
        for what, got, want in [("logits", logits, rest["twin.logits"]), ("loss", loss.reshape(1), rest["twin.loss"])]:
            err = (got - want).abs()
            if not bool((err <= 1e-5 + 1e-4 * want.abs()).all()):
                raise AssertionError(f"{label}: twin on the Go checkpoint: {what} differs by up to {err.max().item():.3g}")
            worst = max(worst, err.max().item())
        print(f"{label}: Go checkpoint -> twin logits and loss match (max |diff| {worst:.2e})", file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name, seed, cfg in CASES:
        golden_case(name, seed, cfg)
        if not skip_go:
            check_go_checkpoint(cfg, name)


def bench(threads, batch, steps, warmup, blocked):
    """Training images/s of the default 28x28 local-1D model (forward, NLL,
    backward, Adam; random images, data not timed). blocked times the
    block-by-block attention (as the Go model computes it), after checking
    that it gives the dense masked form's logits."""
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    cfg = tiny_config(height=28, width=28, block_len=28, mem_len=56, layers=4, embed=128, heads=4, ff=256)
    model = ImageTransformer(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    pix = torch.randint(0, LEVELS, (batch, model.n))
    if blocked:
        with torch.no_grad():
            dense, blk = model(pix[:2]), model(pix[:2], blocked=True)
        diff = (dense - blk).abs().max().item()
        assert diff <= 1e-4, f"blocked attention differs from the dense one by {diff}"
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad()
        nll(model(pix, blocked=blocked), pix).backward()
        opt.step()
    ips = batch * steps / (time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": threads, "batch": batch,
                      "model": "local1d 4x128", "attention": "blocked" if blocked else "dense masked",
                      "train_images_per_s": round(ips, 2)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/imgtx/imgtx_*.safetensors")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--bench", action="store_true", help="time training steps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--blocked", action="store_true", help="with --bench: block-by-block attention, as the Go model")
    a = ap.parse_args()
    if a.golden:
        golden(a.skip_go)
    if a.bench:
        bench(a.threads, a.batch, a.steps, a.warmup, a.blocked)
    if not (a.golden or a.bench):
        ap.print_help()


if __name__ == "__main__":
    main()
