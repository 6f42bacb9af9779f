"""Train a caption model (pkg/caption: Show, Attend and Tell) in PyTorch,
on one process or many.

    for e in 1 2 3; do caption render --format npz --split train --epoch $e -o train-$e.npz; done
    caption render --format npz --split val -o val.npz
    torchrun --nproc_per_node 2 -m attnkit_torch.train_caption \\
        --train train-{1,2,3}.npz --val val.npz --epochs 3 -o soft.safetensors
    caption eval --model soft.safetensors

The recipe is `caption train`'s: teacher forcing, the loss of a caption
its negative log-likelihood plus lambda times the doubly stochastic
penalty sum_i (1 - sum_t alpha_ti)^2, averaged over the captions of a
batch of --batch scenes (each with all its references, its image encoded
once), Adam at 1e-3 with a cosine over the epochs, gradients clipped to
norm 5, dropout before the deep output layers, the best epoch by the
validation NLL per word. The built-in scenes are rendered anew every
epoch: export one training file per epoch (`--epoch E`, with the run's
--seed) and pass them in order, or the epochs cycle over the files given.
The output file has the tensor names, shapes and metadata (the
vocabulary included) of a model that `caption train` writes, so every
caption command loads it as it is.

Differences from the Go loop: only --attention soft or none (hard
attention's REINFORCE, with its moving-average baseline kept per
process, is not written) and --encoder joint (no digit-presence
pretraining); no --init; the weights start from torch's initialisation
and dropout draws come from torch's generator, not Go's; with N
processes each one's batch norm sees its own --batch/N scenes.
"""

import sys

import torch

from . import caption
from .caption import Captioner, default_config, save_model
from .data import load_captions
from .trainloop import Metric, Processes, add_flags, arg_parser, fit


def ints(s):
    return [int(v) for v in s.split(",")]


def config_from(a, meta):
    """The pkg/caption.Config of a run: the data's vocabulary and side,
    with the flags applied."""
    cfg = default_config(len(meta["vocab"]))
    cfg.update(data=meta.get("data", "builtin"), side=meta["side"], widths=ints(a.widths), convs=ints(a.convs),
               embed=a.embed, hidden=a.hidden, attn_dim=a.attn_dim, attention=a.attention, encoder="joint",
               dropout=a.dropout, max_len=a.max_len, **{"lambda": a.penalty})
    nb = len(cfg["widths"])
    if len(cfg["convs"]) != nb or cfg["side"] % (1 << (nb - 1)):
        sys.exit(f"--widths {a.widths} and --convs {a.convs}: want as many of each, and a side "
                 f"({cfg['side']}) divisible by 2^(blocks-1)")
    return cfg


def caption_batch(split, indices, device):
    """A batch of scenes with all their references; the loss averages over
    the captions."""
    images, rows, caps = split.batch(indices)
    return torch.from_numpy(images).to(device), (rows, caps), len(caps)


def main(argv=None):
    ap = arg_parser(__doc__)
    g = ap.add_argument_group("model (caption train's flags)")
    g.add_argument("--attention", default="soft", choices=["soft", "none"],
                   help="soft, or none (the mean annotation: the baseline); hard is the Go tool's only")
    g.add_argument("--lambda", dest="penalty", type=float, default=0.1,
                   help="weight of the doubly stochastic penalty")
    g.add_argument("--dropout", type=float, default=0.3, help="dropout before the deep output layers")
    g.add_argument("--widths", default="32,64,128,128", help="encoder: channels of each block")
    g.add_argument("--convs", default="1,1,1,2", help="encoder: 3x3 convolutions in each block")
    g.add_argument("--embed", type=int, default=64)
    g.add_argument("--hidden", type=int, default=192)
    g.add_argument("--attn-dim", type=int, default=128)
    g.add_argument("--max-len", type=int, default=24, help="most words a decoded caption may have (recorded)")
    add_flags(ap, epochs=10, batch=32, optimizer="adam", lr={"adam": 1e-3, "sgd": 0.1}, schedule="cosine",
              step_size=5, gamma=0.5, clip=5.0)
    a = ap.parse_args(argv)
    procs = Processes(a.threads)
    if a.batch // procs.world < 2:
        sys.exit(f"--batch {a.batch} on {procs.world} processes: batch norm needs two scenes per process")
    meta = load_captions(a.train[0]).meta
    vocab = meta["vocab"]
    cfg = config_from(a, meta)
    torch.manual_seed(a.seed)  # the same start on every process (DDP also broadcasts rank 0's)
    model = Captioner(cfg)

    def check(split):
        m = split.meta
        if m.get("vocab") != vocab or m.get("side") != cfg["side"]:
            sys.exit(f"{split.path}: another vocabulary or side ({m.get('side')}) than {a.train[0]}")

    def step(net, x, y, epoch, b):
        rows, caps = y
        r = net(x, rows, caps, dropout=True)
        return r["loss"], (float(r["nll"].detach()), sum(len(c) - 1 for c in caps))

    def validate(m, split, shard):
        return caption.nll_sums(m, split, batch=a.batch, shard=shard)

    nll = Metric("nll", 4, train=lambda s, seen: s[0] / max(s[1], 1), val=lambda words, nats: nats / max(words, 1))
    fit(procs, a, model, step, validate, lambda m, p, extra: save_model(m, p, vocab, meta=extra), config_check=check,
        metric=nll, load=load_captions, batch=caption_batch)
    procs.close()


if __name__ == "__main__":
    main()
