"""Train an imgtx model (pkg/imgtx: the local-1D Image Transformer) in
PyTorch, on one process or many.

    imgtx render --format npz --split train -o train.npz
    imgtx render --format npz --split val -o val.npz
    torchrun --nproc_per_node 2 -m attnkit_torch.train_imgtx \\
        --train train.npz --val val.npz --epochs 30 -o tx.safetensors
    imgtx eval --model tx.safetensors

The recipe is `imgtx train`'s: the negative log-likelihood of every 8-bit
sub-pixel given the ones before it, Adam at 1e-3 for a global batch of
16, one epoch of linear warm-up from a tenth of the rate then a cosine
over the other epochs, gradients clipped to norm 1, dropout 0.1 on the
input and on every sublayer's output, the best epoch by the validation
bits/dim. The data (MNIST or an image folder, as Go converted it), size,
channels and classes come from the exported files; the architecture
flags are the Go tool's for the twin's model: the local-1D Transformer,
unconditional or with a class embedding (--cond class). The output file
has the tensor names, shapes and metadata of a model that `imgtx train`
writes, so every imgtx command loads it as it is.

Differences from the Go loop: no --arch pixelcnn, --attention local2d,
--cond lowres, --epoch-images or --init; dropout draws come from torch's
generator, not Go's; the attention is computed dense with the local-1D
mask (the same function as Go's blocked form, slower for long images).
"""

import math
import sys

import torch
from torch.nn.parallel import DistributedDataParallel as DDP

from . import imgtx
from .data import load_npz
from .imgtx import ImageTransformer, default_config, nll, pixels, save_model
from .trainloop import Metric, Processes, add_flags, arg_parser, fit


def config_from(a, meta):
    """The pkg/imgtx.Config of a run: the data's size and channels, with
    the flags applied."""
    cfg = default_config(meta["height"], meta["width"], meta["channels"], data=meta["kind"])
    cfg["cond"] = a.cond
    if a.cond == "class":
        cfg["classes"], cfg["class_names"] = meta["classes"], meta["class_names"]
    for key in ("block_len", "mem_len", "layers", "embed", "heads", "ff"):
        v = getattr(a, key)
        if v:
            cfg[key] = v
    cfg.update(dropout=a.dropout, prenorm=not a.post_norm, positions=a.positions)
    if cfg["embed"] % cfg["heads"]:
        sys.exit(f"--embed {cfg['embed']} is not a multiple of --heads {cfg['heads']}")
    return cfg


def main(argv=None):
    ap = arg_parser(__doc__)
    g = ap.add_argument_group("model (imgtx train's flags)")
    g.add_argument("--cond", default="none", choices=["none", "class"])
    g.add_argument("--block-len", type=int, default=0, help="query block length (default: one image row)")
    g.add_argument("--mem-len", type=int, default=0, help="memory before each block (default: two rows)")
    g.add_argument("--layers", type=int, default=0, help="decoder layers (default 4)")
    g.add_argument("--embed", type=int, default=0, help="width (default 128)")
    g.add_argument("--heads", type=int, default=0, help="attention heads (default 4)")
    g.add_argument("--ff", type=int, default=0, help="feed-forward width (default 256)")
    g.add_argument("--dropout", type=float, default=0.1, help="dropout of the input and of every sublayer")
    g.add_argument("--post-norm", action="store_true", help="layer norm after each residual sum")
    g.add_argument("--positions", default="sinusoidal", choices=["sinusoidal", "learned"])
    add_flags(ap, epochs=30, batch=16, optimizer="adam", lr={"adam": 1e-3, "sgd": 0.01}, schedule="cosine",
              warmup=1, clip=1.0)
    a = ap.parse_args(argv)
    procs = Processes(a.threads)
    meta = load_npz(a.train[0], want_tool="imgtx").meta
    cfg = config_from(a, meta)
    torch.manual_seed(a.seed)  # the same start on every process (DDP also broadcasts rank 0's)
    model = ImageTransformer(cfg)
    # The attention mask (bool) and the sinusoid table are functions of
    # the configuration, the same on every process; DDP would broadcast
    # them with the weights, and gloo has no bool broadcast.
    DDP._set_params_and_buffers_to_ignore_for_model(model, [n for n, _ in model.named_buffers()
                                                            if n in ("hidden", "pos_tab")])
    dims = cfg["height"] * cfg["width"] * cfg["channels"]

    def check(split):
        m = split.meta
        if m.get("tool") != "imgtx" or m.get("data") != meta["data"] or \
                (m.get("height"), m.get("width"), m.get("channels")) != (cfg["height"], cfg["width"], cfg["channels"]):
            sys.exit(f"{split.path}: a {m.get('tool')} export of {m.get('data')} at {m.get('height')}x{m.get('width')}"
                     f"x{m.get('channels')}, the run is imgtx on {meta['data']} at "
                     f"{cfg['height']}x{cfg['width']}x{cfg['channels']}")

    def step(net, x, y, epoch, b):
        pix = pixels(x)
        loss = nll(net(pix, y if cfg["cond"] == "class" else None), pix)
        return loss, float(loss.detach()) * pix.numel()  # the batch's nats

    def validate(m, split, shard):
        return imgtx.evaluate(m, split.images, split.labels, batch=32, shard=shard)

    bits = Metric("bits_per_dim", 4, train=lambda nats, seen: nats / (seen * dims) / math.log(2),
                  val=lambda n_dims, nats: nats / n_dims / math.log(2))
    fit(procs, a, model, step, validate, lambda m, p, extra: save_model(m, p, meta=extra), config_check=check,
        metric=bits)
    procs.close()


if __name__ == "__main__":
    main()
