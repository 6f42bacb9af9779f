"""PyTorch twin of pkg/nonlocal.Model: the C2D (or I3D) ResNet of
cmd/nonlocal with 0, 1 or 5 non-local blocks.

It builds the same network from the same configuration (the JSON of
pkg/nonlocal.Config, as a model file stores it under "config"), with the
same parameter names, so a model file written by 'nonlocal train' loads
into it unchanged (load_model).
"""

import json

import torch.nn as nn
import torch.nn.functional as F

from .nonlocal_block import NonLocalBlock
from .safetensors import read_safetensors

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


def load_model(path):
    """Build a Net from a model file written by 'nonlocal train', strictly
    (every name and shape must match; training state is set aside), in
    evaluation mode."""
    tensors, meta = read_safetensors(path)
    cfg = json.loads(meta["config"])
    net = Net(cfg)
    state = {k: v for k, v in tensors.items() if not k.startswith(("optim.", "train."))}
    net.load_state_dict(state, strict=True)
    net.eval()
    return net
