#!/usr/bin/python3
"""Golden fixtures and timing of the lpa twin (attnkit_torch.lpa).

The twin itself, a PyTorch twin of pkg/lpa, is python/attnkit_torch/lpa.py;
this script drives it from the repository root with Debian's interpreter
(it has torch 1.13 and numpy):

    /usr/bin/python3 bench/torch/lpa.py --golden    # write testdata/golden/lpa_*.safetensors
    /usr/bin/python3 bench/torch/lpa.py --bench     # training images/s, attend latency

--golden writes the fixtures that pkg/lpa/golden_test.go compares against
(weights with random batch-norm statistics, a batch of images, the logits
and attention maps in evaluation mode, and the logits, loss and every
parameter gradient of one training-mode step), then checks the other
direction: it asks Go (go test ./pkg/lpa -run TestTwinWritesGoCheckpoint,
with LPA_TWIN_OUT set) to build a model with Go's initialisation and save
it with Model.Save; the twin loads that checkpoint and must reproduce Go's
logits and maps. See bench/torch/README.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN_DIR = os.path.join(ROOT, "testdata", "golden")
sys.path.insert(0, os.path.join(ROOT, "python"))
from attnkit_torch.lpa import LPA, attn_levels, default_config, load_model, save_model  # noqa: E402


# --------------------------------------------------------------- golden

TINY = dict(widths=[4, 6, 8, 8, 12], convs=[1, 1, 2, 1, 1])

CASES = [
    ("lpa_att3_concat_pc", 100, dict()),
    ("lpa_att2_indep_dp_sigmoid_after", 200, dict(levels=2, compat="dp", head="indep", norm="sigmoid", placement="after")),
    ("lpa_baseline", 300, dict(attention=False)),
]


def golden_case(name, seed, over):
    cfg = default_config()
    cfg.update(TINY)
    cfg.update(over)
    torch.manual_seed(seed)
    model = LPA(cfg)
    # Random affine and running statistics, so evaluation mode is tested
    # with something other than the identity; larger classifier weights so
    # the logits are not all near zero.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
            if isinstance(m, nn.Linear) and m.weight.shape[0] == cfg["classes"]:
                m.weight.mul_(30)
                m.bias.uniform_(-0.1, 0.1)
    g = torch.Generator().manual_seed(seed + 1)
    images = torch.rand(3, 3, cfg["side"], cfg["side"], generator=g)
    labels = torch.randint(0, cfg["classes"], (3,), generator=g)
    extra = {"golden.images": images, "golden.labels": labels.long()}
    # Save before the training step changes the running statistics.
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    model.eval()
    with torch.no_grad():
        logits, maps, feats = model(images)
    extra["golden.eval.logits"] = logits
    for lv, a in zip(attn_levels(cfg), maps):
        extra[f"golden.eval.attn{lv}"] = a
    if feats is not None:
        extra["golden.eval.features"] = feats

    model.train()
    model.zero_grad()
    logits, _, _ = model(images)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    extra["golden.train.logits"] = logits.detach()
    extra["golden.train.loss"] = loss.detach().reshape(1)
    for k, p in model.named_parameters():
        extra["grad." + k] = p.grad
    for k, v in model.state_dict().items():
        if k.endswith("running_mean") or k.endswith("running_var"):
            extra["golden.after." + k] = v.detach().clone()
    model.load_state_dict(state)

    desc = ("pkg/lpa twin (bench/torch/lpa.py): golden.eval.* = forward in eval mode; golden.train.* = "
            "forward in train mode, loss = CE(logits, labels); grad.<param> = d loss / d param; "
            "golden.after.<buffer> = running statistics after that step")
    save_model(model, os.path.join(GOLDEN_DIR, name + ".safetensors"), extra,
               {"description": desc, "generator": "bench/torch/lpa.py --golden", "torch": torch.__version__,
                "tensors": json.dumps({
                    "golden.images": "[N=3, 3, S, S] in [0, 1)", "golden.labels": "[N] I64",
                    "golden.eval.logits": "[N, classes]", "golden.eval.attn<k>": "[N, H*W] attention of level k",
                    "golden.eval.features": "baseline: last block output [N, C, h, w]",
                    "golden.train.logits": "[N, classes]", "golden.train.loss": "[1]",
                    "grad.<param>": "gradient of golden.train.loss",
                    "golden.after.<buffer>": "running statistics after the training step"}, sort_keys=True)})
    print(f"wrote {name}.safetensors: eval logits[0] = {extra['golden.eval.logits'][0, :4].tolist()}",
          file=sys.stderr)
    return cfg


def check_go_checkpoint(over, label):
    """The reverse direction: Go builds and saves a model and its logits and
    maps on a batch; the twin loads the checkpoint and must agree."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "go.safetensors")
        env = dict(os.environ, LPA_TWIN_OUT=out, LPA_TWIN_CONFIG=json.dumps(over))
        subprocess.run(["go", "test", "./pkg/lpa", "-run", "^TestTwinWritesGoCheckpoint$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        model, rest, _ = load_model(out)
        with torch.no_grad():
            logits, maps, _ = model(rest["twin.images"])
        pairs = [("logits", logits, rest["twin.logits"])]
        for lv, a in zip(attn_levels(model.cfg), maps):
            pairs.append((f"attn{lv}", a, rest[f"twin.attn{lv}"]))
        for what, got, want in pairs:
            err = (got - want).abs()
            tol = 1e-5 + 1e-4 * want.abs()
            if not bool((err <= tol).all()):
                raise AssertionError(f"{label}: twin on the Go checkpoint: {what} differs by up to {err.max().item():.3g}")
        print(f"{label}: Go checkpoint -> twin logits and maps match (max |diff| "
              f"{(logits - rest['twin.logits']).abs().max().item():.2e})", file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name, seed, over in CASES:
        golden_case(name, seed, over)
        model, rest, _ = load_model(os.path.join(GOLDEN_DIR, name + ".safetensors"))
        with torch.no_grad():
            again, _, _ = model(rest["golden.images"])
        assert torch.equal(again, rest["golden.eval.logits"]), name
        if not skip_go:
            o = dict(TINY)
            o.update(over)
            check_go_checkpoint(o, name)


# ---------------------------------------------------------------- bench

def bench(threads, batch, steps, warmup, attend_runs, seed, side):
    """Print one JSON line: training images/s (forward, cross-entropy,
    backward and an SGD step with momentum and weight decay on random
    images, data not timed) and the median latency of one image's
    attention forward in eval mode."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    cfg = default_config(side=side)
    model = LPA(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, side, side)
    y = torch.randint(0, cfg["classes"], (batch,))
    model.train()
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad()
        logits, _, _ = model(x)
        F.cross_entropy(logits, y).backward()
        opt.step()
    train_ips = batch * steps / (time.perf_counter() - t0)
    model.eval()
    one = torch.rand(1, 3, side, side)
    lat = []
    with torch.no_grad():
        for i in range(attend_runs + 3):
            t0 = time.perf_counter()
            model(one)
            if i >= 3:
                lat.append(time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": threads, "batch": batch,
                      "model": "(VGG-att3)-concat-pc", "side": side, "train_images_per_s": round(train_ips, 2),
                      "attend_ms_median": round(1000 * statistics.median(lat), 3)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/golden/lpa_*.safetensors")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--bench", action="store_true", help="time training and single-image attention")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--attend-runs", type=int, default=50)
    ap.add_argument("--side", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not (a.golden or a.bench):
        ap.error("give --golden or --bench")
    if a.golden:
        golden(a.skip_go)
    if a.bench:
        bench(a.threads, a.batch, a.steps, a.warmup, a.attend_runs, a.seed, a.side)


if __name__ == "__main__":
    main()
