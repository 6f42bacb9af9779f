#!/usr/bin/python3
"""Drive the non-local network twin (attnkit_torch.nonlocal_net).

The twin itself, a PyTorch twin of pkg/nonlocal.Model (the C2D or I3D
ResNet of cmd/nonlocal with 0, 1 or 5 non-local blocks), is
python/attnkit_torch/nonlocal_net.py; a model file written by 'nonlocal
train' loads into it unchanged. Run from the repository root with Debian's
interpreter (it has torch 1.13):

    /usr/bin/python3 bench/torch/nonlocal_net.py --load M.safetensors       # load a Go model strictly, print its logits on a fixed input
    /usr/bin/python3 bench/torch/nonlocal_net.py --load M.safetensors --clip clips/sum-0000.gif   # compare with: nonlocal predict --model M --json clips/sum-0000.gif
    /usr/bin/python3 bench/torch/nonlocal_net.py --bench --threads 1       # training clips/s of the default NL C2D
    /usr/bin/python3 bench/torch/nonlocal_net.py --bench --blocks 0        # ... of the C2D baseline

--bench times training steps (forward, cross-entropy, backward, SGD with
momentum) on random clips of the built-in sum task's shape (8 frames of
32x32, batch 32 by default), after --warmup steps, and prints one line:
clips per second. The Go side's figure is the training log's seconds per
epoch over its clips.
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
from attnkit_torch.nonlocal_net import DEFAULT, Net, input_shape, load_model  # noqa: E402


def load(path, clip=None):
    """Load a Go model strictly; print its class probabilities on a clip
    written by 'nonlocal render' (a grey GIF of the model's size, which
    'nonlocal predict --json' reads with the same pixels), or its logits on
    a fixed random input."""
    net = load_model(path)
    cfg = net.cfg
    if clip:
        import numpy as np
        from PIL import Image, ImageSequence
        frames = [np.asarray(f.convert("L"), dtype=np.float32) / 255 for f in ImageSequence.Iterator(Image.open(clip))]
        if len(frames) != cfg["frames"] or frames[0].shape != (cfg["side"], cfg["side"]):
            sys.exit("%s: %d frames of %s, the model takes %d of %d" % (clip, len(frames), frames[0].shape, cfg["frames"], cfg["side"]))
        x = torch.from_numpy(np.stack(frames)).reshape(1, 1, cfg["frames"], cfg["side"], cfg["side"])
        with torch.no_grad():
            p = F.softmax(net(x), dim=1)[0]
        print(json.dumps({"input": clip, "class": int(p.argmax()), "probs": [round(float(v), 4) for v in p]}))
        return
    g = torch.Generator().manual_seed(0)
    x = torch.rand(input_shape(cfg, 2), generator=g)
    with torch.no_grad():
        print(json.dumps({"config": cfg, "logits": net(x).tolist()}))


def bench(cfg, threads, batch, steps, warmup, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    net = Net(cfg)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(input_shape(cfg, batch))
    y = torch.randint(0, cfg["classes"], (batch,))
    for i in range(warmup + steps):
        if i == warmup:
            start = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    secs = time.perf_counter() - start
    print("%s threads=%d batch=%d: %.1f clips/s" % ("NL" if cfg["blocks"] else "C2D", threads, batch, steps * batch / secs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--load", help="load a model file written by 'nonlocal train' and print its logits on a fixed input")
    ap.add_argument("--clip", help="with --load: a GIF from 'nonlocal render' to classify")
    ap.add_argument("--bench", action="store_true", help="time training steps")
    ap.add_argument("--blocks", type=int, default=1)
    ap.add_argument("--pairwise", default="embedded")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.load:
        load(a.load, a.clip)
    elif a.bench:
        cfg = dict(DEFAULT, blocks=a.blocks, pairwise=a.pairwise)
        bench(cfg, a.threads, a.batch, a.steps, a.warmup, a.seed)
    else:
        ap.error("give --load FILE or --bench")


if __name__ == "__main__":
    main()
