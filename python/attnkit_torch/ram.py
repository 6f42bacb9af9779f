"""PyTorch twin of pkg/ram, the Recurrent Attention Model (Mnih et al. 2014).

The twin computes what the Go model computes, with the same parameter names
(its state_dict keys are the Go model file's tensor names), so weights move
both ways through safetensors files: save_model writes a file that
`glimpse eval --model FILE` loads as it is, and load_model reads a file
that `glimpse train` wrote. The retina is pkg/ram.Sensor.Extract vectorised
over the batch, hybrid_loss is pkg/ram.Model.Loss, and predict is
pkg/ram.Model.Predict with a greedy episode (the policy's mean), including
the random first location Go draws when the first location is not learned.
"""

import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .gorand import GoRand
from .shards import shard_batches
from .safetensors import read_safetensors, write_safetensors

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
    dev = images.device
    batch = torch.arange(n, device=dev)[:, None, None]
    chans = torch.arange(c, device=dev)[None, :, None, None]
    outs = []
    for s in range(scales):
        f = 1 << s
        side = patch * f
        ar = torch.arange(side, device=dev)
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

    def forward(self, images, locs=None, greedy=False, trace=None, first=None):
        """One episode over [N,C,S,S] images.

        locs, if given, is [T,N,2] (pkg/ram.Model.ForwardAt); otherwise the
        first location is the learned policy's, or first ([N,2]) when given,
        or uniform, and the others come from the location network. Returns logits [N,C], the log π of
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
        elif first is not None:
            loc = first
        else:
            loc = torch.rand(n, 2, device=images.device) * 2 - 1
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


# ------------------------------------------------------------ evaluation

def greedy_episode(model, images, first=None):
    """Logits [N, classes] and locations [T, N, 2] of a greedy episode
    (every location the policy's mean, clamped), as ram.Greedy gives."""
    seen = []
    logits, _, _ = model(images, greedy=True, trace=seen, first=first)
    return logits, torch.stack(seen)


def go_first_locations(n, seed, batch_index):
    """The first locations [n, 2] pkg/ram.Model.Predict draws for a batch
    when the first location is not learned: x, y of every image in turn
    from rand.NewPCG(seed, batch_index), each float32(u·2 − 1)."""
    rng = GoRand(seed, batch_index)
    vals = [rng.float64() * 2 - 1 for _ in range(2 * n)]
    return torch.from_numpy(np.asarray(vals, dtype=np.float64).astype(np.float32).reshape(n, 2))


@torch.no_grad()
def evaluate(model, images, labels, seed=1, batch=250, limit=0, shard=(0, 1)):
    """pkg/ram.Model.Evaluate with MC = 0 (what `glimpse eval` runs): a
    greedy episode per image in batches of `batch`, batch b drawing its
    random first locations from (seed, b) as Go does, so that the count of
    errors matches `glimpse eval --policy-seed SEED --batch BATCH`.
    images is [N, 1, S, S] float32 (numpy, a memory map or torch), labels
    [N]. shard = (rank, world) takes only the batches b with b mod world =
    rank, for processes that split an evaluation. Returns (n, errors) of
    the batches taken."""
    model.eval()
    dev = next(model.parameters()).device
    done = errors = 0
    for b, lo, hi in shard_batches(len(labels), batch, limit, shard):
        x = torch.from_numpy(np.array(images[lo:hi], dtype=np.float32)).to(dev)
        y = torch.as_tensor(np.asarray(labels[lo:hi])).to(dev)
        first = None if model.cfg.get("learned_first") else go_first_locations(hi - lo, seed, b).to(dev)
        logits, _ = greedy_episode(model, x, first)
        errors += int((logits.argmax(1) != y).sum())
        done += hi - lo
    return done, errors
