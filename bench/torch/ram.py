#!/usr/bin/python3
"""Golden fixtures and timing of the glimpse-model twin (attnkit_torch.ram).

The twin itself, a PyTorch twin of pkg/ram, is python/attnkit_torch/ram.py;
this script drives it from the repository root with Debian's interpreter
(it has torch 1.13 and numpy):

    /usr/bin/python3 bench/torch/ram.py --golden     # write testdata/golden/ram_*.safetensors
    /usr/bin/python3 bench/torch/ram.py --bench ...  # training/predict timing (bench/ram.sh)

--golden writes the fixtures that pkg/ram/golden_test.go compares against,
then checks the other direction: it asks the Go driver (go run ./bench/ram
forward) to build a model with Go's initialisation, run it at fixed
locations and save it with Model.Save; the checkpoint is loaded into the
twin, which must reproduce Go's logits. See bench/torch/README.md.
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
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN_DIR = os.path.join(ROOT, "testdata", "golden")
sys.path.insert(0, os.path.join(ROOT, "python"))
from attnkit_torch.ram import (RAM, greedy_episode, hybrid_loss, load_model, save_model,  # noqa: E402
                               task_config)
from attnkit_torch.safetensors import read_safetensors, write_safetensors  # noqa: E402


# --------------------------------------------------------------- golden

# A small configuration that still has every code path: 3 scales (the
# unpooled scale and two pooled ones), patches running off the canvas, a
# non-square hidden stack.
GOLDEN_BASE = dict(task="translated", canvas=60, glimpses=4, patch=8, scales=3, std=0.1,
                   glimpse_hidden=24, glimpse_out=32, hidden=20, classes=10)


def golden_inputs(seed, n=4):
    """Images [N,1,S,S] in [0,1), a fixed path locs [T,N,2], labels [N]."""
    g = torch.Generator().manual_seed(seed)
    s, t = GOLDEN_BASE["canvas"], GOLDEN_BASE["glimpses"]
    images = torch.rand(n, 1, s, s, generator=g)
    locs = torch.rand(t, n, 2, generator=g) * 2 - 1
    # Corners and edges: the patches run off the canvas, and l = 0 on a
    # 60-pixel canvas puts the 8-pixel patch corner at exactly 26 (a
    # whole number; no rounding tie is left to float noise).
    locs[0, 0] = torch.tensor([-1.0, -1.0])
    locs[1, 1] = torch.tensor([1.0, 1.0])
    locs[2, 2] = torch.tensor([0.0, 0.0])
    locs[3, 3] = torch.tensor([-1.0, 1.0])
    labels = torch.randint(0, GOLDEN_BASE["classes"], (n,), generator=g)
    return images, locs, labels


def golden_case(name, seed, **over):
    """Write testdata/golden/<name>.safetensors: the twin's weights as a
    pkg/ram checkpoint, plus golden.images/locs/labels, the logits and the
    cross-entropy gradient of every parameter that receives one."""
    cfg = dict(GOLDEN_BASE, core="rnn", learned_first=False, detach_policy=True)
    cfg.update(over)
    torch.manual_seed(seed)
    model = RAM(cfg)
    if cfg["learned_first"]:
        with torch.no_grad():
            model.first_loc.copy_(torch.tensor([0.3, -0.2]))
    images, locs, labels = golden_inputs(seed + 1)
    logits, _, _ = model(images, locs=locs)
    loss = F.cross_entropy(logits, labels)
    model.zero_grad()
    loss.backward()
    extra = {"golden.images": images.reshape(images.shape[0], -1), "golden.locs": locs,
             "golden.labels": labels.long(), "golden.logits": logits.detach(),
             "golden.ce": loss.detach().reshape(1)}
    if cfg["learned_first"]:
        # A learned first location makes the greedy episode deterministic:
        # the location network then chooses every glimpse.
        with torch.no_grad():
            extra["golden.greedy_logits"], extra["golden.greedy_locs"] = greedy_episode(model, images)
    for k, p in model.named_parameters():
        if p.grad is not None and p.grad.abs().sum() > 0:
            extra["grad." + k] = p.grad
    desc = ("pkg/ram twin (bench/torch/ram.py) at fixed glimpse locations: logits = "
            "classifier(h_T) after ForwardAt(locs); grad.<param> = d CE(logits, labels) / d param")
    save_model(model, os.path.join(GOLDEN_DIR, name + ".safetensors"), extra,
               {"description": desc, "generator": "bench/torch/ram.py --golden", "torch": torch.__version__,
                "tensors": json.dumps({
                    "golden.images": "[N=4, S*S] row-major, one channel",
                    "golden.locs": "[T, N, 2] (x, y) in [-1, 1], glimpse t of image n",
                    "golden.labels": "[N] I64", "golden.logits": "[N, classes]",
                    "golden.ce": "[1] mean cross-entropy",
                    "golden.greedy_logits": "[N, classes] of the greedy episode (learned first location only)",
                    "golden.greedy_locs": "[T, N, 2] its locations",
                    "grad.<param>": "gradient of golden.ce (params the CE reaches)"}, sort_keys=True)})
    print(f"wrote {name}.safetensors: logits[0] = {logits[0, :4].tolist()}", file=sys.stderr)
    return cfg, images, locs


def check_go_checkpoint(cfg, images, locs, label):
    """The reverse direction: Go builds, runs and saves a model; the twin
    loads the checkpoint and must give Go's logits."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "in.safetensors")
        write_safetensors(inp, {"images": images.reshape(images.shape[0], -1), "locs": locs},
                          {"config": json.dumps(cfg, sort_keys=True)})
        model_path = os.path.join(tmp, "model.safetensors")
        out = os.path.join(tmp, "logits.safetensors")
        subprocess.run(["go", "run", "./bench/ram", "forward", "-in", inp, "-model", model_path,
                        "-out", out, "-seed", "11"], check=True, cwd=ROOT)
        model, rest, _ = load_model(model_path)
        if rest:
            raise AssertionError(f"{label}: Go checkpoint has unexpected tensors {sorted(rest)}")
        want, _ = read_safetensors(out)
        with torch.no_grad():
            got, _, _ = model(images, locs=locs)
        pairs = [("logits", got)]
        if cfg.get("learned_first"):
            with torch.no_grad():
                glog, glocs = greedy_episode(model, images)
            pairs += [("greedy_logits", glog), ("greedy_locs", glocs)]
        for key, val in pairs:
            err = (val - want[key]).abs()
            tol = 1e-5 + 1e-4 * want[key].abs()
            if not bool((err <= tol).all()):
                raise AssertionError(f"{label}: twin on the Go checkpoint differs from Go's {key} by up to "
                                     f"{err.max().item():.3g}")
            print(f"{label}: Go checkpoint -> twin {key} match (max |diff| {err.max().item():.2e})",
                  file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    cases = [("ram_rnn", 70, {}),
             ("ram_lstm", 80, dict(core="lstm", learned_first=True, detach_policy=False)),
             ("ram_lochidden", 90, dict(learned_first=True, locator_hidden=6))]
    for name, seed, over in cases:
        cfg, images, locs = golden_case(name, seed, **over)
        # Round trip through our own files first: the reader must give back
        # exactly what the writer was handed.
        model, rest, _ = load_model(os.path.join(GOLDEN_DIR, name + ".safetensors"))
        with torch.no_grad():
            again, _, _ = model(rest["golden.images"].reshape(images.shape), locs=rest["golden.locs"])
        assert torch.equal(again, rest["golden.logits"]), name
        if not skip_go:
            check_go_checkpoint(cfg, images, locs, name)


# ---------------------------------------------------------------- bench

def bench(tasks, threads, batch, steps, warmup, predict_runs, seed, core="rnn", locator_hidden=0):
    """Print one JSON line per (task, threads): training samples/s of
    forward + hybrid loss + backward + Adam, and the median latency of a
    greedy batch-1 prediction (softmax included). Inputs are random
    tensors made before timing: data generation is not timed."""
    for task in tasks:
        cfg = task_config(task)
        cfg["core"] = core
        if locator_hidden:
            cfg["locator_hidden"] = locator_hidden
        s = cfg["canvas"]
        for th in threads:
            torch.set_num_threads(th)
            torch.manual_seed(seed)
            model = RAM(cfg)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            nb = 4
            xs = [torch.rand(batch, 1, s, s) for _ in range(nb)]
            ys = [torch.randint(0, 10, (batch,)) for _ in range(nb)]

            def step(i):
                opt.zero_grad(set_to_none=False)
                logits, logps, bases = model(xs[i % nb])
                hybrid_loss(logits, logps, bases, ys[i % nb]).backward()
                opt.step()

            for i in range(warmup):
                step(i)
            t0 = time.perf_counter()
            for i in range(steps):
                step(i)
            el = time.perf_counter() - t0
            one = torch.rand(1, 1, s, s)
            lat = []
            with torch.no_grad():
                for i in range(predict_runs + 5):
                    t1 = time.perf_counter()
                    logits, _, _ = model(one, greedy=True)
                    F.softmax(logits, 1)
                    if i >= 5:
                        lat.append(time.perf_counter() - t1)
            print(json.dumps({"impl": "torch", "task": task, "core": core, "locator_hidden": locator_hidden,
                              "threads": th, "batch": batch,
                              "steps": steps, "samples_per_s": steps * batch / el,
                              "predict_us": statistics.median(lat) * 1e6}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--golden", action="store_true", help="write testdata/golden/ram_*.safetensors")
    ap.add_argument("--no-go", action="store_true", help="with --golden: skip the Go-checkpoint check")
    ap.add_argument("--bench", action="store_true", help="time training and prediction")
    ap.add_argument("--tasks", default="mnist,translated,cluttered60,cluttered100")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--predict", type=int, default=200, help="timed batch-1 predictions")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--core", default="rnn", choices=["rnn", "lstm"], help="with --bench: the recurrent core")
    ap.add_argument("--locator-hidden", type=int, default=0, help="with --bench: hidden units in the location network")
    a = ap.parse_args()
    if a.golden:
        golden(a.no_go)
    if a.bench:
        bench(a.tasks.split(","), [int(t) for t in a.threads.split(",")], a.batch, a.steps,
              a.warmup, a.predict, a.seed, a.core, a.locator_hidden)
    if not (a.golden or a.bench):
        ap.print_help()


if __name__ == "__main__":
    main()
