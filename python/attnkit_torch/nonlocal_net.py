"""PyTorch twin of pkg/nonlocal.Model: the C2D (or I3D) ResNet of
cmd/nonlocal with 0, 1 or 5 non-local blocks.

It builds the same network from the same configuration (the JSON of
pkg/nonlocal.Config, as a model file stores it under "config"), with the
same parameter names, so a model file written by 'nonlocal train' loads
into it unchanged (load_model), and one the twin writes (save_model) is
loaded as it is by every nonlocal command (`nonlocal eval --model FILE`).
evaluate is pkg/nonlocal.Model.Evaluate.
"""

import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .nonlocal_block import NonLocalBlock
from .shards import shard_batches
from .safetensors import read_safetensors, write_safetensors

FORMAT = "attnkit.nonlocal/1"  # pkg/nonlocal.Format

# pkg/nonlocal.DefaultConfig("sum")
DEFAULT = dict(mode="3d", task="sum", frames=8, side=32, channels=1, classes=10,
               widths=[8, 8, 16, 32, 64], depths=[1, 2, 3, 1], inflate=False,
               blocks=1, stage=4, pairwise="embedded", subsample=True, scale=False, extent="spacetime")


class ConvBN(nn.Module):
    """Bias-free convolution and batch norm (pkg/nonlocal convBN)."""

    def __init__(self, cin, cout, k, kt, stride):
        super().__init__()
        if kt:
            self.conv = nn.Conv3d(cin, cout, (kt, k, k), (1, stride, stride), (kt // 2, k // 2, k // 2), bias=False)
            self.bn = nn.BatchNorm3d(cout)
        else:
            self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
            self.bn = nn.BatchNorm2d(cout)
        nn.init.kaiming_normal_(self.conv.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        return self.bn(self.conv(x))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride, kt, k1):
        super().__init__()
        self.conv1 = ConvBN(cin, cout, 3, k1, stride)
        self.conv2 = ConvBN(cout, cout, 3, kt, 1)
        self.down = ConvBN(cin, cout, 1, kt, stride) if stride != 1 or cin != cout else None
        self.nl = None

    def forward(self, x):
        h = self.conv2(F.relu(self.conv1(x)))
        return F.relu(h + (self.down(x) if self.down is not None else x))


def sites(cfg):
    """pkg/nonlocal Config.sites: (stage, index) of every block."""
    if cfg["blocks"] == 1:
        return [(cfg["stage"], max(cfg["depths"][cfg["stage"] - 2] - 2, 0))]
    if cfg["blocks"] == 5:
        d3, d4 = cfg["depths"][1], cfg["depths"][2]
        return [(3, j) for j in range(d3 - 2, d3)] + [(4, j) for j in range(d4 - 3, d4)]
    return []


class Net(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        clip, inflate = cfg["mode"] == "3d", cfg.get("inflate", False)
        kt = 1 if inflate else 0
        w = cfg["widths"]
        self.stem = ConvBN(cfg["channels"], w[0], 3, kt, 1)
        at = set(sites(cfg))
        cin = w[0]
        for s in range(2, 6):
            blocks = nn.ModuleList()
            for j in range(cfg["depths"][s - 2]):
                stride = 2 if j == 0 and s > 2 else 1
                r = ResBlock(cin, w[s - 1], stride, kt, 3 if inflate else kt)
                if (s, j) in at:
                    dims = 3 if clip and cfg["extent"] == "spacetime" else 2
                    r.nl = NonLocalBlock(dict(channels=w[s - 1], inner=0, pairwise=cfg["pairwise"], dims=dims,
                                              subsample=cfg["subsample"], scale=cfg["scale"]))
                blocks.append(r)
                cin = w[s - 1]
            setattr(self, "res%d" % s, blocks)
        self.fc = nn.Linear(cin, cfg["classes"])

    def forward(self, x):
        cfg = self.cfg
        clip, five = cfg["mode"] == "3d", cfg.get("inflate", False)
        n = x.shape[0]
        t = cfg.get("frames", 0)

        def frames(v):  # [N, C, T, H, W] -> [N*T, C, H, W]
            return v.transpose(1, 2).reshape(-1, v.shape[1], v.shape[3], v.shape[4])

        def unframes(v):
            return v.reshape(n, t, v.shape[1], v.shape[2], v.shape[3]).transpose(1, 2)

        h = frames(x) if clip and not five else x
        h = F.relu(self.stem(h))
        h = F.max_pool3d(h, (1, 2, 2)) if five else F.max_pool2d(h, 2)
        for s in range(2, 6):
            for r in getattr(self, "res%d" % s):
                h = r(h)
                if r.nl is None:
                    continue
                if not clip:
                    h, _ = r.nl(h)
                    continue
                x5 = h if five else unframes(h)
                if cfg["extent"] == "spacetime":
                    z5, _ = r.nl(x5)
                elif cfg["extent"] == "space":
                    z, _ = r.nl(frames(x5))
                    z5 = z.reshape(n, x5.shape[2], *z.shape[1:]).transpose(1, 2)
                else:  # time: [N*H*W, C, T, 1]
                    _, c, tt, hh, ww = x5.shape
                    z, _ = r.nl(x5.permute(0, 3, 4, 1, 2).reshape(n * hh * ww, c, tt, 1))
                    z5 = z.reshape(n, hh, ww, c, tt).permute(0, 3, 4, 1, 2)
                h = z5 if five else frames(z5)
        if clip and not five:
            pooled = h.mean(dim=(2, 3)).reshape(n, t, -1).mean(1)
        else:
            pooled = h.flatten(2).mean(2)
        return self.fc(pooled)


def input_shape(cfg, n):
    if cfg["mode"] == "3d":
        return (n, cfg["channels"], cfg["frames"], cfg["side"], cfg["side"])
    return (n, cfg["channels"], cfg["side"], cfg["side"])


def task_config(meta):
    """pkg/nonlocal.DefaultConfig of the task an exported split describes
    (its meta): the sample shape and classes come from the data."""
    cfg = dict(DEFAULT, widths=list(DEFAULT["widths"]), depths=list(DEFAULT["depths"]))
    cfg.update(mode=meta["mode"], task=meta["task"], frames=meta["frames"], side=meta["side"],
               channels=meta["channels"], classes=meta["classes"])
    if cfg["mode"] != "3d":
        cfg["extent"] = ""  # an image model has none (cmd/nonlocal clears it too)
    return cfg


def config_name(cfg):
    """pkg/nonlocal.Config.Name, the name `nonlocal eval` prints."""
    base = "CNN" if cfg["mode"] != "3d" else "I3D" if cfg.get("inflate") else "C2D"
    if cfg["blocks"] == 0:
        return base
    where = "res3+res4" if cfg["blocks"] == 5 else "res%d" % cfg["stage"]
    s = "NL %s (%d %s, %s" % (base, cfg["blocks"], cfg["pairwise"], where)
    if cfg["mode"] == "3d" and cfg["extent"] != "spacetime":
        s += ", " + cfg["extent"]
    if not cfg["subsample"]:
        s += ", full"
    return s + ")"


def save_model(model, path, meta=None):
    """Write the twin as a pkg/nonlocal model file (Model.Save): every
    parameter and batch-norm buffer under its state-dict name, the
    configuration as JSON under "config", the format under "format"."""
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    m = {"format": FORMAT, "config": json.dumps(model.cfg, sort_keys=True)}
    m.update(meta or {})
    write_safetensors(path, tensors, m)


@torch.no_grad()
def evaluate(model, samples, labels, batch=50, limit=0, shard=(0, 1)):
    """pkg/nonlocal.Model.Evaluate (what `nonlocal eval` runs): classify
    samples [N, C, T, S, S] or [N, C, S, S] (numpy, a memory map or torch)
    in evaluation mode. shard = (rank, world) takes only the batches b
    with b mod world = rank. Returns (n, errors) of the batches taken."""
    model.eval()
    dev = next(model.parameters()).device
    done = errors = 0
    for _, lo, hi in shard_batches(len(labels), batch, limit, shard):
        logits = model(torch.from_numpy(np.array(samples[lo:hi], dtype=np.float32)).to(dev))
        errors += int((logits.argmax(1).cpu() != torch.as_tensor(np.asarray(labels[lo:hi]))).sum())
        done += hi - lo
    return done, errors


def load_model(path):
    """Build a Net from a model file written by 'nonlocal train', strictly
    (every name and shape must match; training state is set aside), in
    evaluation mode."""
    tensors, meta = read_safetensors(path)
    if meta.get("format", FORMAT) != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    cfg = json.loads(meta["config"])
    net = Net(cfg)
    state = {k: v for k, v in tensors.items() if not k.startswith(("optim.", "train."))}
    net.load_state_dict(state, strict=True)
    net.eval()
    return net
