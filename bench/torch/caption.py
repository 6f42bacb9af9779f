#!/usr/bin/python3
"""Golden fixtures and timing of the captioner twin (attnkit_torch.caption).

The twin itself, a PyTorch twin of pkg/caption, is
python/attnkit_torch/caption.py; this script drives it from the repository
root with Debian's interpreter (python3-torch and numpy):

    /usr/bin/python3 bench/torch/caption.py --golden   # write testdata/caption/twin_*.safetensors
    /usr/bin/python3 bench/torch/caption.py --bench --threads 1   # training steps/s

--golden writes the fixtures pkg/caption/golden_test.go (TestGoldenTwin)
compares against: a tiny model's weights, a batch of images and captions,
and the teacher-forced logits, attention, NLL, penalty, loss and every
parameter gradient (batch norm on batch statistics, no dropout). Then it
checks the other direction: it asks Go (go test ./pkg/caption -run
TestTwinReadsGoModel, with CAPTION_TWIN_OUT set) to build a model with
Go's initialisation and write it with its inputs and outputs; the twin
loads that file and must reproduce Go's logits and loss within
1e-5 + 1e-4·|want|.

--bench times training steps (forward, loss, backward, Adam) of the default
model on batches of random images with 5 random captions each, lengths
drawn like the built-in scenes' (3 to 21 words), data not timed, and prints
one JSON line. bench/caption.sh runs it beside the Go benchmark.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
from attnkit_torch.caption import (END, PAD, START, Captioner, default_config, load_model, padded,  # noqa: E402
                                   save_model)

FIXTURE_DIR = os.path.join(ROOT, "testdata", "caption")


# --------------------------------------------------------------- golden

VOCAB = ["<pad>", "<start>", "<end>", "<unk>", "a", "red", "3", "7", "above", "blue"]
TINY = dict(side=16, widths=[4, 6, 8], convs=[1, 1, 1], embed=5, hidden=7, attn_dim=6, dropout=0.0)
CAPTIONS = [[1, 4, 5, 6, 8, 4, 9, 7, 2], [1, 6, 2], [1, 4, 7, 2], [1, 4, 9, 7, 8, 4, 6, 2]]
ROWS = [0, 0, 1, 2]
CASES = [("twin_soft", 11, dict(attention="soft")), ("twin_none", 12, dict(attention="none"))]


def golden_case(name, seed, over):
    cfg = default_config(len(VOCAB))
    cfg.update(TINY)
    cfg.update(over)
    torch.manual_seed(seed)
    model = Captioner(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    images = torch.rand(3, 3, cfg["side"], cfg["side"], generator=g)
    model.train()  # batch statistics, as training uses them; dropout is 0
    model.zero_grad()
    out = model.loss(model.encode(images), ROWS, CAPTIONS)
    out["loss"].backward()
    extra = {"golden.images": images, "golden.rows": torch.tensor(ROWS, dtype=torch.long),
             "golden.captions": padded(CAPTIONS), "golden.logits": out["logits"].detach(),
             "golden.loss": out["loss"].detach().reshape(1), "golden.nll": out["nll"].detach().reshape(1),
             "golden.penalty": out["penalty"].detach().reshape(1)}
    if out["alpha"] is not None:
        extra["golden.alpha"] = out["alpha"].detach()
    for k, p in model.named_parameters():
        extra["grad." + k] = p.grad
    # The file's running statistics are the ones before the step, so Go
    # starts from the same state.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
    save_model(model, os.path.join(FIXTURE_DIR, name + ".safetensors"), VOCAB, extra, {
        "description": "pkg/caption twin (bench/torch/caption.py --golden): golden.* = teacher-forced loss in "
                       "training mode (batch statistics, no dropout) of golden.captions (padded with 0) of images "
                       "golden.rows; logits and alpha time-major [T*N, .]; grad.<param> = d golden.loss / d param",
        "generator": "bench/torch/caption.py --golden", "torch": torch.__version__})
    print(f"wrote {name}.safetensors: loss {out['loss'].item():.6f}", file=sys.stderr)


def check(label, pairs):
    worst = 0.0
    for what, got, want in pairs:
        err = (got - want).abs()
        if not bool((err <= 1e-5 + 1e-4 * want.abs()).all()):
            raise AssertionError(f"{label}: {what} differs by up to {err.max().item():.3g}")
        worst = max(worst, err.max().item())
    return worst


def check_go_model(over, label):
    """The reverse direction: Go builds a model with its own initialisation,
    runs the loss on a batch and writes everything; the twin must agree."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "go.safetensors")
        env = dict(os.environ, CAPTION_TWIN_OUT=out, CAPTION_TWIN_ATTENTION=over["attention"])
        subprocess.run(["go", "test", "./pkg/caption", "-run", "^TestTwinReadsGoModel$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        model, rest, _ = load_model(out)
        model.train()
        caps = [[int(v) for v in row if v != PAD] for row in rest["go.captions"]]
        res = model.loss(model.encode(rest["go.images"]), rest["go.rows"].tolist(), caps)
        worst = check(label, [("logits", res["logits"].detach(), rest["go.logits"]),
                              ("loss", res["loss"].detach().reshape(1), rest["go.loss"])])
        print(f"{label}: Go model -> twin logits and loss match (max |diff| {worst:.2e})", file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    for name, seed, over in CASES:
        golden_case(name, seed, over)
        if not skip_go:
            check_go_model(over, name)


# ---------------------------------------------------------------- bench

def bench(threads, batch, steps, warmup, attention, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    cfg = default_config(47)
    cfg["attention"] = attention
    model = Captioner(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 3, cfg["side"], cfg["side"], generator=g)
    rows = [i // 5 for i in range(5 * batch)]
    caps = []
    for _ in rows:
        n = int(torch.randint(3, 22, (1,), generator=g))
        caps.append([START] + torch.randint(4, 47, (n,), generator=g).tolist() + [END])
    model.train()
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad()
        out = model.loss(model.encode(x), rows, caps, dropout=True)
        out["loss"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5)
        opt.step()
    sps = steps / (time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": threads, "batch": batch,
                      "attention": attention, "train_steps_per_s": round(sps, 3)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/caption/twin_*.safetensors")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--bench", action="store_true", help="time training steps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--attention", default="soft")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.golden:
        golden(a.skip_go)
    if a.bench:
        bench(a.threads, a.batch, a.steps, a.warmup, a.attention, a.seed)
    if not (a.golden or a.bench):
        ap.print_help()


if __name__ == "__main__":
    main()
