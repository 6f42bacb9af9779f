"""Train an lpa model (pkg/lpa, Learn To Pay Attention) in PyTorch, on one
process or many.

    lpa render --format npz --split train --epoch 1 -o train-1.npz
    lpa render --format npz --split val -o val.npz
    torchrun --nproc_per_node 2 -m attnkit_torch.train_lpa \\
        --train train-1.npz --val val.npz --epochs 30 -o att.safetensors
    lpa eval --model att.safetensors

The recipe is `lpa train`'s: cross-entropy, SGD with momentum 0.9 and
weight decay 5e-4 at 0.05 for a global batch of 64, the rate halved every
25 epochs, the best epoch by the validation error. The data (built-in
task, CIFAR or an image folder, as Go decoded it), side, classes and class
names come from the exported files; the architecture flags are the Go
tool's. CIFAR and image folders get the Go loop's augmentation (a random
crop of the image padded by 4 pixels, a horizontal flip with probability
1/2). The output file has the tensor names, shapes and metadata of a model
that `lpa train` writes, so every lpa command loads it as it is.

Differences from the Go loop: batch norm sees each process's share of the
batch (torch 1.13 synchronises batch statistics only on GPUs: --sync-bn),
and the statistics the model keeps are rank 0's; the Go loop renders the
built-in task anew every epoch, here each epoch reads the next of the
--train files (export one per epoch with --epoch E to match).
"""

import sys

import torch
import torch.nn.functional as F

from . import lpa
from .data import load_npz
from .lpa import LPA, default_config, save_model
from .trainloop import Processes, add_flags, arg_parser, fit


def config_from(a, meta):
    """The pkg/lpa.Config of a run: the data's, with the flags applied."""
    cfg = default_config(data=meta["kind"], side=meta["side"], classes=meta["classes"])
    if meta["kind"] == "builtin":
        cfg["task"] = meta["task"]
    if meta.get("class_names"):
        cfg["class_names"] = meta["class_names"]
    cfg["widths"] = [int(v) for v in a.widths.split(",")]
    cfg["convs"] = [int(v) for v in a.convs.split(",")]
    if len(cfg["widths"]) != 5 or len(cfg["convs"]) != 5:
        sys.exit("--widths and --convs take 5 numbers each")
    cfg.update(attention=not a.no_attention, levels=a.levels, compat=a.attn, norm=a.norm, head=a.head,
               placement=a.placement)
    return cfg


def augment(x, pad=4):
    """pkg/lpa's CIFAR augmentation: shift by up to pad pixels (zeros come
    in) and flip horizontally with probability 1/2, per image."""
    n, _, s, _ = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    out = torch.empty_like(x)
    dx = torch.randint(-pad, pad + 1, (n,))
    dy = torch.randint(-pad, pad + 1, (n,))
    flip = torch.randint(0, 2, (n,))
    for i in range(n):
        y0, x0 = pad + int(dy[i]), pad + int(dx[i])
        crop = padded[i, :, y0:y0 + s, x0:x0 + s]
        out[i] = crop.flip(-1) if flip[i] else crop
    return out


def main(argv=None):
    ap = arg_parser(__doc__)
    g = ap.add_argument_group("model (lpa train's flags)")
    g.add_argument("--attn", default="pc", choices=["pc", "dp"], help="compatibility")
    g.add_argument("--norm", default="softmax", choices=["softmax", "sigmoid"])
    g.add_argument("--head", default="concat", choices=["concat", "indep"])
    g.add_argument("--levels", type=int, default=3, choices=[2, 3])
    g.add_argument("--placement", default="before", choices=["before", "after"])
    g.add_argument("--no-attention", action="store_true", help="the baseline: global average pooling")
    g.add_argument("--widths", default="32,64,128,256,256", help="channels of the 5 blocks")
    g.add_argument("--convs", default="1,1,2,2,2", help="3x3 convolutions in each of the 5 blocks")
    g.add_argument("--augment", default="auto", choices=["auto", "on", "off"],
                   help="crop and flip: auto = for CIFAR and image folders, as the Go loop")
    g.add_argument("--sync-bn", action="store_true", help="batch statistics over all processes (GPUs only)")
    add_flags(ap, epochs=300, batch=64, optimizer="sgd", lr={"sgd": 0.05, "adam": 1e-3}, schedule="step",
              weight_decay=5e-4, step_size=25, gamma=0.5)
    a = ap.parse_args(argv)
    procs = Processes(a.threads)
    meta = load_npz(a.train[0], want_tool="lpa").meta
    cfg = config_from(a, meta)
    torch.manual_seed(a.seed)
    model = LPA(cfg)
    if a.sync_bn:
        if procs.device.type != "cuda":
            sys.exit("--sync-bn needs GPUs (torch synchronises batch norm over NCCL)")
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    aug = a.augment == "on" or (a.augment == "auto" and meta["kind"] != "builtin")

    def check(split):
        m = split.meta
        if m.get("tool") != "lpa" or m.get("data") != meta["data"] or m.get("side") != cfg["side"]:
            sys.exit(f"{split.path}: {m.get('tool')} export of {m.get('data')} at {m.get('side')} pixels, "
                     f"the run is lpa on {meta['data']} at {cfg['side']}")

    def step(net, x, y, epoch, b):
        if aug:
            x = augment(x)
        logits, _, _ = net(x)
        return F.cross_entropy(logits, y), (logits.detach().argmax(1) == y).sum()

    def validate(m, split, shard):
        return lpa.evaluate(m, split.images, split.labels, batch=100, shard=shard)

    fit(procs, a, model, step, validate, lambda m, p, extra: save_model(m, p, meta=extra), config_check=check)
    procs.close()


if __name__ == "__main__":
    main()
