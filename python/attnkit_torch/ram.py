#!/usr/bin/python3
"""PyTorch twin of pkg/ram, the Recurrent Attention Model (Mnih et al. 2014).

The twin computes what the Go model computes, with the same parameter names
(its state_dict keys are the Go checkpoint's tensor names), so weights move
both ways through our safetensors files. Run from the repository root with
Debian's interpreter (it has torch 1.13 and numpy):

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
import math
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN_DIR = os.path.join(ROOT, "testdata", "golden")
sys.path.insert(0, HERE)
from fixtures import write_safetensors  # noqa: E402  (shared encoder)

FORMAT = "attnkit.ram/1"  # pkg/ram.Format

# pkg/ram.TaskConfig, Section 4 of the paper.
TASKS = {
    "mnist": dict(canvas=28, glimpses=6, patch=8, scales=1),
    "translated": dict(canvas=60, glimpses=8, patch=12, scales=3),
    "cluttered60": dict(canvas=60, glimpses=8, patch=12, scales=3),
    "cluttered100": dict(canvas=100, glimpses=8, patch=12, scales=4),
}


def task_config(task):
    """pkg/ram.TaskConfig as a dict with the Go JSON field names."""
    c = dict(task=task, std=0.1, glimpse_hidden=128, glimpse_out=256, hidden=256,
             core="rnn", classes=10, learned_first=False, detach_policy=True)
    c.update(TASKS[task])
    return c


# ------------------------------------------------------------ safetensors

def read_safetensors(path):
    """Return (tensors, metadata) of a safetensors file (F32 and I64 only).

    The Go writer (pkg/ckpt) and fixtures.write_safetensors both produce
    this layout: an 8-byte little-endian header length, a JSON header,
    then the raw little-endian data addressed by data_offsets.
    """
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    kinds = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, h in header.items():
        if h["dtype"] not in kinds:
            raise ValueError(f"{path}: tensor {name!r}: dtype {h['dtype']} not supported")
        lo, hi = h["data_offsets"]
        a = np.frombuffer(data[lo:hi], dtype=np.dtype(kinds[h["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(a.astype(kinds[h["dtype"]]).reshape(h["shape"]))
    return out, meta


# ------------------------------------------------------------------ model

class Dense(nn.Module):
    """A holder whose only child is `fc`, so names read locator.fc.weight."""

    def __init__(self, i, o):
        super().__init__()
        self.fc = nn.Linear(i, o)

    def forward(self, x):
        return self.fc(x)


class Locator(nn.Module):
    """The location network's mean before tanh: fc(h), or with a hidden
    layer (config locator_hidden > 0) fc(ReLU(fc_hidden(h)))."""

    def __init__(self, i, width):
        super().__init__()
        if width:
            self.fc_hidden = nn.Linear(i, width)
        self.fc = nn.Linear(width or i, 2)

    def forward(self, h):
        if hasattr(self, "fc_hidden"):
            h = F.relu(self.fc_hidden(h))
        return self.fc(h)


class GlimpseNet(nn.Module):
    """g_t = ReLU(fc_what(ReLU(fc_g(retina))) + fc_where(ReLU(fc_l(l))))."""

    def __init__(self, retina, hidden, out):
        super().__init__()
        self.fc_g = nn.Linear(retina, hidden)
        self.fc_l = nn.Linear(2, hidden)
        self.fc_what = nn.Linear(hidden, out)
        self.fc_where = nn.Linear(hidden, out)

    def forward(self, rho, l):
        hg = F.relu(self.fc_g(rho))
        hl = F.relu(self.fc_l(l))
        return F.relu(self.fc_what(hg) + self.fc_where(hl))


class RNNCore(nn.Module):
    """h_t = ReLU(i2h(g_t) + h2h(h_{t-1})); h2h also sees h_0 = 0."""

    def __init__(self, i, h):
        super().__init__()
        self.i2h = nn.Linear(i, h)
        self.h2h = nn.Linear(h, h)

    def forward(self, g, state):
        h = F.relu(self.i2h(g) + self.h2h(state[0]))
        return h, None


class LSTMCore(nn.LSTMCell):
    """torch.nn.LSTMCell, so the names are core.weight_ih and so on."""

    def forward(self, g, state):
        return super().forward(g, state)


def retina(images, loc, patch, scales):
    """pkg/ram.Sensor.Extract for a batch: [N,C,S,S] images, [N,2] locations
    (x along the width, y along the height) -> [N, scales*C*patch*patch] in
    the layout [scale][C][patch][patch].

    The corner of scale s is round_half_up(centre - side/2) on each axis,
    computed in float64 from the float32 location exactly as Go does, so
    both pick the same pixels; out-of-image pixels read zero (a mask on
    clamped gather indices, cheaper than padding a large canvas) and the
    block average divides by 4^s whatever lies outside.
    """
    n, c, hgt, wid = images.shape
    centre = (loc.detach().double() + 1) / 2
    cx, cy = centre[:, 0] * wid, centre[:, 1] * hgt
    batch = torch.arange(n)[:, None, None]
    chans = torch.arange(c)[None, :, None, None]
    outs = []
    for s in range(scales):
        f = 1 << s
        side = patch * f
        ar = torch.arange(side)
        x0 = torch.floor(cx - side / 2 + 0.5).long()
        y0 = torch.floor(cy - side / 2 + 0.5).long()
        xs = x0[:, None] + ar  # [N, side]
        ys = y0[:, None] + ar
        xin = (xs >= 0) & (xs < wid)
        yin = (ys >= 0) & (ys < hgt)
        rows = ys.clamp(0, hgt - 1)[:, None, :, None]
        cols = xs.clamp(0, wid - 1)[:, None, None, :]
        crop = images[batch[:, :, :, None], chans, rows, cols]  # [N,C,side,side]
        crop = crop * (yin[:, None, :, None] & xin[:, None, None, :]).to(images.dtype)
        if f > 1:
            crop = F.avg_pool2d(crop, f)
        outs.append(crop)
    return torch.stack(outs, 1).reshape(n, -1)


class RAM(nn.Module):
    """The glimpse model of pkg/ram with identical parameter names."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        c = self.cfg
        self.channels = 1
        size = c["scales"] * c["patch"] * c["patch"] * self.channels
        self.glimpse = GlimpseNet(size, c["glimpse_hidden"], c["glimpse_out"])
        if c["core"] == "lstm":
            self.core = LSTMCore(c["glimpse_out"], c["hidden"])
        else:
            self.core = RNNCore(c["glimpse_out"], c["hidden"])
        self.locator = Locator(c["hidden"], c.get("locator_hidden", 0))
        self.classifier = Dense(c["hidden"], c["classes"])
        self.baseline = Dense(c["hidden"], 1)
        if c.get("learned_first"):
            self.first_loc = nn.Parameter(torch.zeros(2))

    def _sample(self, mean, greedy):
        """l ~ N(mean, std²) (or the mean); returns clamped l and log π(l)."""
        if greedy:
            return mean.detach().clamp(-1, 1), None
        std = self.cfg["std"]
        sample = (mean + std * torch.randn_like(mean)).detach()
        logp = -(sample - mean) ** 2 / (2 * std * std) - math.log(std) - 0.5 * math.log(2 * math.pi)
        return sample.clamp(-1, 1), logp

    def forward(self, images, locs=None, greedy=False, trace=None):
        """One episode over [N,C,S,S] images.

        locs, if given, is [T,N,2] (pkg/ram.Model.ForwardAt); otherwise the
        first location is uniform (or the learned policy) and the others
        come from the location network. Returns logits [N,C], the log π of
        every sampled location ([N,2] each) and their baselines ([N,1] each,
        None for a learned first location). trace, if a list, receives
        every glimpse's locations [N,2].
        """
        c = self.cfg
        n = images.shape[0]
        logps, bases = [], []
        if locs is not None:
            loc = locs[0]
        elif c.get("learned_first"):
            loc, lp = self._sample(torch.tanh(self.first_loc).expand(n, 2), greedy)
            if lp is not None:
                logps.append(lp)
                bases.append(None)
        else:
            loc = torch.rand(n, 2) * 2 - 1
        h = images.new_zeros(n, c["hidden"])
        state = (h, images.new_zeros(n, c["hidden"])) if c["core"] == "lstm" else (h,)
        for t in range(c["glimpses"]):
            if trace is not None:
                trace.append(loc.detach().clone())
            rho = retina(images, loc, c["patch"], c["scales"])
            g = self.glimpse(rho, loc)
            h, cell = self.core(g, state)
            state = (h, cell) if cell is not None else (h,)
            if t == c["glimpses"] - 1:
                break
            b = self.baseline(h.detach())
            if locs is not None:
                loc = locs[t + 1]
                continue
            hin = h.detach() if c.get("detach_policy") else h
            loc, lp = self._sample(torch.tanh(self.locator(hin)), greedy)
            if lp is not None:
                logps.append(lp)
                bases.append(b)
        return self.classifier(h), logps, bases


def hybrid_loss(logits, logps, bases, labels):
    """pkg/ram.Model.Loss: CE + mean_t MSE(b_t, R) − (1/N) Σ_t Σ_n Σ_xy log π · (R − b_t)."""
    n = logits.shape[0]
    ce = F.cross_entropy(logits, labels)
    reward = (logits.detach().argmax(1) == labels).float()
    total = ce
    mses = [F.mse_loss(b[:, 0], reward) for b in bases if b is not None]
    if mses:
        total = total + torch.stack(mses).mean()
    if logps:
        rl = 0
        for lp, b in zip(logps, bases):
            adv = reward - (b.detach()[:, 0] if b is not None else reward.mean())
            rl = rl + (lp * adv[:, None]).sum()
        total = total - rl / n
    return total


# ------------------------------------------------------ checkpoint I/O

def save_model(model, path, extra=None, meta=None):
    """Write the twin as a pkg/ram checkpoint (plus extra tensors)."""
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tensors.update(extra or {})
    m = {"format": FORMAT, "config": json.dumps(model.cfg, sort_keys=True)}
    m.update(meta or {})
    write_safetensors(path, tensors, m)


def load_model(path):
    """Build a twin from a pkg/ram checkpoint (Model.Save); returns (model,
    the file's other tensors, metadata). Training state (optim., train.)
    is ignored like ram.FromFile does."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    model = RAM(json.loads(meta["config"]))
    names = set(model.state_dict())
    state = {k: v for k, v in tensors.items() if k in names}
    model.load_state_dict(state, strict=True)
    rest = {k: v for k, v in tensors.items() if k not in names}
    return model, rest, meta


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


def greedy_episode(model, images):
    """Logits [N, classes] and locations [T, N, 2] of a greedy episode
    (every location the policy's mean, clamped), as ram.Greedy gives."""
    seen = []
    logits, _, _ = model(images, greedy=True, trace=seen)
    return logits, torch.stack(seen)


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
