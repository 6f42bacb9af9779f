"""Train the glimpse model (pkg/ram) in PyTorch, on one process or many.

    glimpse render --task mnist --format npz --split train -o train.npz
    glimpse render --task mnist --format npz --split val -o val.npz
    torchrun --nproc_per_node 2 -m attnkit_torch.train_glimpse \\
        --train train.npz --val val.npz --epochs 20 -o mnist.safetensors
    glimpse eval --model mnist.safetensors

The recipe is `glimpse train`'s: the hybrid loss (cross-entropy, REINFORCE
with a learned baseline, the baseline's regression), Adam at 1e-3 and a
cosine schedule over the epochs, a global batch of 128, the best epoch by
the validation error of greedy episodes. The task, canvas and classes come
from the exported files; the architecture flags are the Go tool's. The
output file has the tensor names, shapes and metadata of a model that
`glimpse train` writes, so every glimpse command loads it as it is.

Differences from the Go loop: the Go loop renders new placements every
epoch from its seed, here each epoch reads the next of the --train files
(export one per epoch with --epoch E to match); the policy's samples come
from torch's generator, not Go's.
"""

import sys

import torch

from . import ram
from .data import load_npz
from .ram import RAM, hybrid_loss, save_model, task_config
from .trainloop import Processes, add_flags, arg_parser, fit

VAL_SEED = 0x56414C  # pkg/ram.ValSeed: the policy seed of validation


def config_from(a, meta):
    """The pkg/ram.Config of a run: the task's, with the flags applied."""
    cfg = task_config(meta["task"])
    if cfg["canvas"] != meta["canvas"]:
        sys.exit(f"task {meta['task']} has a {cfg['canvas']}-pixel canvas, the data {meta['canvas']}")
    for key in ("glimpses", "patch", "scales"):
        if getattr(a, key):
            cfg[key] = getattr(a, key)
    cfg.update(std=a.std, core=a.core, learned_first=a.learned_first, detach_policy=not a.full_reinforce)
    if a.locator_hidden:
        cfg["locator_hidden"] = a.locator_hidden
    return cfg


def main(argv=None):
    ap = arg_parser(__doc__)
    g = ap.add_argument_group("model (glimpse train's flags)")
    g.add_argument("--glimpses", type=int, default=0, help="glimpses per image (default: the task's)")
    g.add_argument("--patch", type=int, default=0, help="patch side G (default: the task's)")
    g.add_argument("--scales", type=int, default=0, help="patches per glimpse K (default: the task's)")
    g.add_argument("--std", type=float, default=0.1, help="std of the Gaussian location policy")
    g.add_argument("--core", default="rnn", choices=["rnn", "lstm"])
    g.add_argument("--learned-first", action="store_true", help="learn the first location")
    g.add_argument("--locator-hidden", type=int, default=0, help="ReLU units in the location network")
    g.add_argument("--full-reinforce", action="store_true", help="let REINFORCE reach the core and glimpse network")
    add_flags(ap, epochs=200, batch=128, optimizer="adam", lr={"adam": 1e-3, "sgd": 0.01}, schedule="cosine",
              step_size=50, gamma=0.1)
    a = ap.parse_args(argv)
    procs = Processes(a.threads)
    meta = load_npz(a.train[0], want_tool="glimpse").meta
    cfg = config_from(a, meta)
    torch.manual_seed(a.seed)  # the same start on every process (DDP also broadcasts rank 0's)
    model = RAM(cfg)

    def check(split):
        m = split.meta
        if m.get("tool") != "glimpse" or m.get("task") != cfg["task"]:
            sys.exit(f"{split.path}: a {m.get('tool')} export of task {m.get('task')}, the run is glimpse {cfg['task']}")

    def step(net, x, y, epoch, b):
        logits, logps, bases = net(x)
        loss = hybrid_loss(logits, logps, bases, y)
        return loss, (logits.detach().argmax(1) == y).sum()

    def validate(m, split, shard):
        return ram.evaluate(m, split.images, split.labels, seed=VAL_SEED, batch=250, shard=shard)

    # With one glimpse the location network never runs; DDP must be told.
    fit(procs, a, model, step, validate, lambda m, p, extra: save_model(m, p, meta=extra),
        config_check=check, find_unused=cfg["glimpses"] == 1)
    procs.close()


if __name__ == "__main__":
    main()
