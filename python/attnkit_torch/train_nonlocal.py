"""Train a nonlocal model (pkg/nonlocal: the C2D/I3D ResNet with non-local
blocks) in PyTorch, on one process or many.

    nonlocal render --format npz --split train --epoch 1 -o train-1.npz
    nonlocal render --format npz --split train --epoch 2 -o train-2.npz
    nonlocal render --format npz --split val -o val.npz
    torchrun --nproc_per_node 2 -m attnkit_torch.train_nonlocal \\
        --train train-1.npz train-2.npz --val val.npz --epochs 2 -o nl.safetensors
    nonlocal eval --model nl.safetensors

The recipe is `nonlocal train`'s: cross-entropy, SGD with momentum 0.9 and
weight decay 1e-4 at 0.05 (Adam: 1e-3) for a global batch of 32, a cosine
schedule over the epochs, the best epoch by the validation error. The
task (sum clips or cluttered60 images), mode, frames, side and classes
come from the exported files; the architecture flags are the Go tool's
(--blocks, --stage, --pairwise, --subsample, --scale, --extent, --inflate,
--widths, --depths, --init). The output file has the tensor names, shapes
and metadata of a model that `nonlocal train` writes, so every nonlocal
command loads it as it is.

Differences from the Go loop: batch norm sees each process's share of the
batch (for clips, that share's frames; torch 1.13 synchronises batch
statistics only on GPUs: --sync-bn), and the statistics the model keeps
are rank 0's; the weights start from torch's initialisation, not Go's
generator; the Go loop draws new clips every epoch, here each epoch reads
the next of the --train files (export one per epoch with --epoch E to
match, and --limit N for `nonlocal train --limit N`).
"""

import sys

import torch
import torch.nn.functional as F

from . import nonlocal_net
from .data import load_npz
from .nonlocal_net import Net, save_model, task_config
from .safetensors import read_safetensors
from .trainloop import Processes, add_flags, arg_parser, fit


def parse_bool(s):
    """Go's flag syntax for booleans: --subsample=false."""
    if s.lower() in ("1", "t", "true"):
        return True
    if s.lower() in ("0", "f", "false"):
        return False
    raise ValueError(s)


def config_from(a, meta):
    """The pkg/nonlocal.Config of a run: the data's task, with the flags
    applied; the same checks as cmd/nonlocal's configFromFlags, so the Go
    tool never meets a file it refuses."""
    cfg = task_config(meta)
    if a.mode and a.mode != cfg["mode"]:
        sys.exit(f"--mode {a.mode}: the data holds task {cfg['task']}, a {cfg['mode']} task")
    cfg["widths"] = [int(v) for v in a.widths.split(",")]
    cfg["depths"] = [int(v) for v in a.depths.split(",")]
    if len(cfg["widths"]) != 5 or len(cfg["depths"]) != 4:
        sys.exit("--widths takes 5 numbers (stem, res2..res5), --depths 4")
    cfg.update(blocks=a.blocks, stage=a.stage, pairwise=a.pairwise, subsample=a.subsample, scale=a.scale)
    if cfg["mode"] == "3d":
        cfg.update(extent=a.extent, inflate=a.inflate)
    elif a.extent != "spacetime" or a.inflate:
        sys.exit("--extent and --inflate are for clips (--mode 3d)")
    if cfg["blocks"] == 5 and (cfg["depths"][1] < 2 or cfg["depths"][2] < 3):
        sys.exit(f"five blocks go after two residual blocks of res3 and three of res4; "
                 f"depths {cfg['depths']} have fewer")
    if cfg["scale"] and cfg["pairwise"] == "concat":
        sys.exit("the concatenation form has no theta^T phi to scale")
    if cfg.get("extent") == "time" and cfg["subsample"]:
        sys.exit("a time-only block has no space to subsample (--subsample=false)")
    return cfg


def init_from(model, path):
    """pkg/nonlocal Model.InitFrom: copy the trunk (every tensor but the
    classifier's and the non-local blocks') of the model file at path; a
    2-D kernel meets an inflated one by being repeated over time and
    divided by its length, so a clip of identical frames gives the 2-D
    responses. Returns the number of tensors copied."""
    src, _ = read_safetensors(path)
    n = 0
    with torch.no_grad():
        for name, dst in model.state_dict().items():
            if name.startswith("fc.") or ".nl." in name or name not in src:
                continue
            s = src[name]
            if s.shape == dst.shape:
                dst.copy_(s)
            elif s.dim() == 4 and dst.dim() == 5 and s.shape[:2] == dst.shape[:2] and s.shape[2:] == dst.shape[3:]:
                t = dst.shape[2]
                dst.copy_(s.unsqueeze(2).expand_as(dst) / t)
            else:
                sys.exit(f"--init {path}: tensor {name} is {list(s.shape)}, the model's {list(dst.shape)}")
            n += 1
    return n


def main(argv=None):
    ap = arg_parser(__doc__)
    g = ap.add_argument_group("model (nonlocal train's flags)")
    g.add_argument("--mode", choices=["2d", "3d"], help="checked against the data's (default: the data's)")
    g.add_argument("--pairwise", default="embedded", choices=["gaussian", "embedded", "dot", "concat"])
    g.add_argument("--blocks", type=int, default=1, choices=[0, 1, 5], help="0: the C2D baseline")
    g.add_argument("--stage", type=int, default=4, choices=[2, 3, 4, 5], help="res stage of a single block")
    g.add_argument("--subsample", type=parse_bool, default=True, nargs="?", const=True,
                   help="max-pool phi and g by 2x2 (--subsample=false for all pairs)")
    g.add_argument("--scale", action="store_true", help="divide theta^T phi by sqrt(d)")
    g.add_argument("--extent", default="spacetime", choices=["spacetime", "space", "time"], help="clips")
    g.add_argument("--inflate", action="store_true", help="I3D: 3x3x3 first kernels (clips)")
    g.add_argument("--widths", default="8,8,16,32,64", help="channels of the stem and res2..res5")
    g.add_argument("--depths", default="1,2,3,1", help="residual blocks of res2..res5")
    g.add_argument("--init", metavar="FILE", help="start the trunk from this model file (e.g. a digits model)")
    g.add_argument("--sync-bn", action="store_true", help="batch statistics over all processes (GPUs only)")
    add_flags(ap, epochs=30, batch=32, optimizer="sgd", lr={"sgd": 0.05, "adam": 1e-3}, schedule="cosine",
              weight_decay=1e-4, step_size=10, gamma=0.1)
    a = ap.parse_args(argv)
    procs = Processes(a.threads)
    if a.batch // procs.world < 2:
        sys.exit(f"--batch {a.batch} on {procs.world} processes: batch norm needs at least 2 samples per process")
    meta = load_npz(a.train[0], want_tool="nonlocal").meta
    cfg = config_from(a, meta)
    torch.manual_seed(a.seed)  # the same start on every process (DDP also broadcasts rank 0's)
    model = Net(cfg)
    if a.init:
        n = init_from(model, a.init)
        if procs.rank == 0:
            print(f"# --init: {n} trunk tensors from {a.init}", file=sys.stderr, flush=True)
    if a.sync_bn:
        if procs.device.type != "cuda":
            sys.exit("--sync-bn needs GPUs (torch synchronises batch norm over NCCL)")
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)

    def check(split):
        m = split.meta
        if m.get("tool") != "nonlocal" or m.get("task") != cfg["task"]:
            sys.exit(f"{split.path}: a {m.get('tool')} export of task {m.get('task')}, "
                     f"the run is nonlocal {cfg['task']}")

    def step(net, x, y, epoch, b):
        logits = net(x)
        return F.cross_entropy(logits, y), (logits.detach().argmax(1) == y).sum()

    def validate(m, split, shard):
        return nonlocal_net.evaluate(m, split.images, split.labels, batch=50, shard=shard)

    fit(procs, a, model, step, validate, lambda m, p, extra: save_model(m, p, meta=extra), config_check=check)
    procs.close()


if __name__ == "__main__":
    main()
