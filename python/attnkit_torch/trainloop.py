"""The distributed training loop the twins' trainers share.

It runs under torchrun (one process per CPU socket, GPU or machine) with
DistributedDataParallel: the gloo backend on CPUs, NCCL when CUDA is
there. Started by plain `python -m`, it is one process without a process
group. Each epoch a DistributedSampler deals every process its own share
of the training split (shuffled by the seed and the epoch, the same deal
on every process); DDP averages the gradients, so the global batch is
--batch, as in the Go loop, whatever the number of processes. After every
epoch the processes score the validation split together, rank 0 writes
the best model (a safetensors file the Go tool loads) and the whole
training state for --resume, and prints one line as the Go loop does.
"""

import argparse
import json
import math
import os
import re
import sys
import time
import warnings

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data.distributed import DistributedSampler

from .data import load_npz


class Processes:
    """Where this process stands in the job: rank, world size, device."""

    def __init__(self, threads):
        torch.set_num_threads(threads)
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.distributed = "RANK" in os.environ and self.world > 1
        self.device = torch.device("cpu")
        if torch.cuda.is_available():
            self.device = torch.device("cuda", self.local_rank)
            torch.cuda.set_device(self.device)
        if self.distributed:
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
        self.backend = dist.get_backend() if self.distributed else "none"

    def wrap(self, model, find_unused=False):
        """The model as DDP sees it (the model itself for one process)."""
        model.to(self.device)
        if not self.distributed:
            return model
        ids = [self.local_rank] if self.device.type == "cuda" else None
        return DDP(model, device_ids=ids, find_unused_parameters=find_unused)

    def sum(self, values):
        """Sum a list of numbers over the processes (float64)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def sync_buffers(self, model):
        """Give every process rank 0's buffers (batch-norm statistics):
        each process updated its own with its own batches, and evaluation
        and the saved model must be one model. Buffers outside the state
        dict (a mask, a table of the configuration) are the same everywhere
        and are left alone: gloo cannot broadcast a bool mask."""
        if self.distributed:
            kept = set(model.state_dict())
            for name, b in model.named_buffers():
                if name in kept:
                    dist.broadcast(b, 0)

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def close(self):
        if self.distributed:
            dist.destroy_process_group()


def add_flags(ap, epochs, batch, optimizer, lr, schedule, weight_decay=0.0, momentum=0.9, step_size=50, gamma=0.1,
              warmup=0, clip=0.0):
    """The flags every trainer takes; the defaults are the Go tool's. lr
    maps each optimizer to its default rate."""
    g = ap.add_argument_group("data and output")
    g.add_argument("--train", nargs="+", required=True, metavar="NPZ",
                   help="training split(s) exported by the Go tool's `render --format npz --split train`; "
                        "epoch e uses file (e-1) mod K, so one file per epoch reproduces the Go loop's new renderings")
    g.add_argument("--val", nargs="*", default=[], metavar="NPZ",
                   help="validation split(s) (`--split val`); the best epoch is the lowest mean error over them. "
                        "Without, the last epoch's model is written")
    g.add_argument("-o", "--out", required=True, help="write the best model here (safetensors); the state for --resume "
                                                      "goes to OUT.state.pt")
    g.add_argument("--resume", action="store_true", help="continue the run whose state is beside --out")
    g = ap.add_argument_group("schedule (the Go tool's defaults)")
    g.add_argument("--epochs", type=int, default=epochs)
    g.add_argument("--batch", type=int, default=batch, help="global batch: split evenly over the processes")
    g.add_argument("--optimizer", default=optimizer, choices=["adam", "sgd"])
    g.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: " + ", ".join(f"{k} {v:g}" for k, v in lr.items()) + ")")
    ap.set_defaults(lr_defaults=lr)
    g.add_argument("--momentum", type=float, default=momentum, help="sgd")
    g.add_argument("--weight-decay", type=float, default=weight_decay, help="L2 penalty added to the gradients")
    g.add_argument("--schedule", default=schedule, choices=["cosine", "step", "none"], help="stepped once per epoch")
    g.add_argument("--step-size", type=int, default=step_size)
    g.add_argument("--gamma", type=float, default=gamma)
    g.add_argument("--warmup", type=int, default=warmup,
                   help="cosine and step: epochs of linear warm-up from a tenth of the rate")
    g.add_argument("--clip", type=float, default=clip, help="clip the gradient norm (0: off)")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--threads", type=int, default=1, help="torch threads per process")
    g.add_argument("--json", action="store_true", help="one JSON object per epoch")


def make_optimizer(params, a):
    if a.optimizer == "adam":
        return torch.optim.Adam(params, lr=a.lr, weight_decay=a.weight_decay)
    return torch.optim.SGD(params, lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)


def make_schedule(opt, a):
    warmup = getattr(a, "warmup", 0) if a.schedule != "none" else 0
    if a.schedule == "cosine":
        inner = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(a.epochs - warmup, 1), eta_min=0)
    elif a.schedule == "step":
        inner = torch.optim.lr_scheduler.StepLR(opt, step_size=a.step_size, gamma=a.gamma)
    else:
        return None
    if warmup == 0:
        return inner
    # optim.LinearWarmup: from a tenth of the rate to the full rate over
    # the warm-up epochs, then the schedule starts from its own step 0.
    # torch 1.13's SequentialLR starts it with step(0), which warns that
    # the argument is deprecated on every run; the rates are right.
    warnings.filterwarnings("ignore", message=re.escape("The epoch parameter in `scheduler.step()` was not necessary"))
    ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=warmup)
    return torch.optim.lr_scheduler.SequentialLR(opt, [ramp, inner], milestones=[warmup])


def retarget(opt, sched, offset, epochs):
    """Make a resumed cosine end at the new last epoch, as the Go loop does
    (optim.Retarget): one still annealing continues from its current rate
    towards the new end; one that has ended restarts from the base rate
    and anneals over the epochs left (its steps then count from offset).
    Returns the schedule and its offset. A cosine behind a warm-up
    (--warmup) is not re-aimed: resume it with the same --epochs."""
    if not isinstance(sched, torch.optim.lr_scheduler.CosineAnnealingLR) or offset + sched.T_max == epochs:
        return sched, offset
    done = offset + sched.last_epoch
    if epochs <= done:
        return sched, offset
    if sched.last_epoch < sched.T_max:
        sched.T_max = epochs - offset
        return sched, offset
    for g in opt.param_groups:
        g["lr"] = g["initial_lr"]
    return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs - done, eta_min=0), done


def state_path(out):
    return out + ".state.pt"


def save_atomic(path, write):
    """Write through a temporary file and rename it, so a crash leaves the
    previous file whole."""
    tmp = f"{path}.tmp{os.getpid()}"
    write(tmp)
    os.replace(tmp, path)


def _print(a, fields):
    if a.json:
        print(json.dumps(fields), flush=True)
    else:
        print("\t".join("-" if v is None else str(v) for v in fields.values()), flush=True)


class Metric:
    """What an epoch's line reports about training and validation, as
    pkg/trainrun.Metric: its name (the columns are train_NAME, val_NAME and
    best_val_NAME), its decimals, and how a figure comes from sums over the
    processes. train(total, seen) takes the sum of step's second value and
    the number of samples; val(a, b) the sums of the two numbers validate
    returns. Lower is better."""

    def __init__(self, name, digits, train, val):
        self.name, self.digits, self.train, self.val = name, digits, train, val


# The classifiers' metric: step counts the correct answers, validate
# returns (n, errors).
ERROR_PCT = Metric("error_pct", 2, train=lambda correct, seen: 100 * (1 - correct / seen),
                   val=lambda n, errors: 100 * errors / n)


def image_batch(split, indices, device):
    """The classifiers' batch: images and labels as tensors on the device,
    counted by their labels."""
    x, y = split.batch(indices)
    return torch.from_numpy(x).to(device), torch.from_numpy(y).to(device), len(y)


def fit(procs, a, model, step, validate, save_model, config_check=None, find_unused=False, metric=ERROR_PCT,
        load=load_npz, batch=image_batch):
    """Train model (the bare module) for a.epochs epochs.

    step(net, x, y, epoch, batch_index) returns (loss, stat) for this
    process's share of a batch; net is the DDP-wrapped model. x and y come
    from batch(split, indices, device), which also returns the samples the
    loss averages over (the weight of its loss in the epoch's mean);
    the default gives images and labels. validate(model, split, shard)
    returns two numbers on this process's shard (rank, world) of a
    validation split. metric turns their sums into the reported figures;
    the default, ERROR_PCT, wants stat = the correct answers and validate
    = (n, errors). A stat that is a tuple is summed element by element and
    metric.train gets the list of sums. load(path) reads a split.
    save_model(model, path, meta) writes the Go-loadable file.
    """
    if a.lr is None:
        a.lr = a.lr_defaults[a.optimizer]
    if a.batch % procs.world:
        sys.exit(f"--batch {a.batch} is not a multiple of the {procs.world} processes")
    local = a.batch // procs.world
    trains = [load(p) for p in a.train]
    vals = [load(p) for p in a.val]
    for s in trains + vals:
        if config_check:
            config_check(s)
    opt = make_optimizer(model.parameters(), a)
    sched = make_schedule(opt, a)
    start, best, best_epoch, offset = 0, math.inf, 0, 0
    if a.resume:
        path = state_path(a.out)
        if not os.path.exists(path):
            sys.exit(f"--resume: no state file {path}")
        st = torch.load(path, map_location="cpu")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        if sched is not None and st.get("schedule"):
            sched.load_state_dict(st["schedule"])
        start, best, best_epoch, offset = st["epoch"], st["best"], st["best_epoch"], st.get("schedule_offset", 0)
        sched, offset = retarget(opt, sched, offset, a.epochs)
    net = procs.wrap(model, find_unused)
    if procs.rank == 0:
        print(f"# {procs.world} process(es), backend {procs.backend}, device {procs.device.type}, "
              f"{local} images per process and step, from epoch {start + 1}", file=sys.stderr, flush=True)
    for epoch in range(start + 1, a.epochs + 1):
        split = trains[(epoch - 1) % len(trains)]
        sampler = DistributedSampler(range(len(split)), num_replicas=procs.world, rank=procs.rank,
                                     shuffle=True, seed=a.seed, drop_last=True)
        sampler.set_epoch(epoch)
        order = list(sampler)
        batches = len(order) // local
        # Each process draws its own policy samples and augmentation; from
        # (seed, epoch, rank), so a resumed run draws what it would have.
        torch.manual_seed((a.seed * 1000003 + epoch) * 1009 + procs.rank)
        net.train()
        t0 = time.perf_counter()
        loss_sum, stat, seen, several = 0.0, [0.0], 0, False
        lr = opt.param_groups[0]["lr"]
        for b in range(batches):
            x, y, n = batch(split, order[b * local:(b + 1) * local], procs.device)
            opt.zero_grad(set_to_none=False)
            loss, batch_stat = step(net, x, y, epoch, b)
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            loss_sum += float(loss.detach()) * n
            several = isinstance(batch_stat, (tuple, list))
            parts = batch_stat if several else (batch_stat,)
            if len(stat) < len(parts):
                stat = [0.0] * len(parts)
            stat = [s + float(v) for s, v in zip(stat, parts)]
            seen += n
        secs = time.perf_counter() - t0
        sums = procs.sum([loss_sum, seen] + stat)
        loss_sum, seen, stat = sums[0], sums[1], (sums[2:] if several else sums[2])
        if sched is not None:
            sched.step()
        procs.sync_buffers(model)
        val_err = None
        if vals:
            errs = []
            for v in vals:
                u, w = procs.sum(list(validate(model, v, (procs.rank, procs.world))))
                errs.append(metric.val(u, w))
            val_err = sum(errs) / len(errs)
        improved = val_err is None or val_err < best
        if improved:
            best, best_epoch = (val_err if val_err is not None else math.inf), epoch
        if procs.rank == 0:
            meta = {"trainer": "attnkit_torch (torchrun, DistributedDataParallel)", "world_size": str(procs.world),
                    "epoch": str(epoch), "torch": torch.__version__}
            if improved:
                save_atomic(a.out, lambda p: save_model(model, p, meta))
            st = {"epoch": epoch, "model": model.state_dict(), "optimizer": opt.state_dict(),
                  "schedule": sched.state_dict() if sched is not None else None, "schedule_offset": offset,
                  "best": best, "best_epoch": best_epoch, "args": vars(a)}
            save_atomic(state_path(a.out), lambda p: torch.save(st, p))
            r = lambda v, d: None if v is None or v == math.inf else round(v, d)  # noqa: E731
            k, d = metric.name, metric.digits
            _print(a, {"epoch": epoch, "lr": lr, "loss": r(loss_sum / seen, 4),
                       "train_" + k: r(metric.train(stat, seen), d), "val_" + k: r(val_err, d),
                       "best_val_" + k: r(best, d), "best_epoch": best_epoch, "seconds": r(secs, 1),
                       "samples_per_s": r(seen / secs, 1)})
    procs.barrier()
    return model


def arg_parser(description):
    return argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
