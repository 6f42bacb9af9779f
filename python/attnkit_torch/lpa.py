"""PyTorch twin of pkg/lpa, Learn To Pay Attention (Jetley et al. 2018).

The twin builds the same network as the Go model from the same
configuration, with the same parameter names (its state_dict keys are the
Go model file's tensor names, batch-norm statistics included), so weights
move both ways through safetensors files: save_model writes a file that
`lpa eval --model FILE` loads as it is, and load_model reads one that
`lpa train` wrote. evaluate is pkg/lpa.Model.Evaluate (evaluation mode,
no augmentation).
"""

import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .shards import shard_batches
from .safetensors import read_safetensors, write_safetensors

FORMAT = "attnkit.lpa/1"  # pkg/lpa.Format
BLOCKS = 5


def default_config(data="builtin", side=64, classes=10):
    """pkg/lpa.DefaultConfig with the Go JSON field names."""
    return dict(data=data, side=side, channels=3, classes=classes,
                widths=[32, 64, 128, 256, 256], convs=[1, 1, 2, 2, 2],
                attention=True, levels=3, compat="pc", norm="softmax", head="concat", placement="before")


def attn_levels(cfg):
    """pkg/lpa.Config.AttnLevels: level k is the output of block k+2."""
    if not cfg["attention"]:
        return []
    return [2, 3] if cfg["levels"] == 2 else [1, 2, 3]


# ------------------------------------------------------------------ model

class ConvBN(nn.Module):
    """3x3 convolution without bias, batch norm, ReLU (pkg/lpa convBN)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Attn(nn.Module):
    """One level's estimator: proj (g -> width of l, when they differ) and,
    for pc, u as a 1x1 convolution to one channel."""

    def __init__(self, c, g, compat):
        super().__init__()
        if c != g:
            self.proj = nn.Linear(g, c, bias=False)
        if compat == "pc":
            self.u = nn.Conv2d(c, 1, 1, bias=False)

    def forward(self, l, g, cfg):
        n, c, h, w = l.shape
        if hasattr(self, "proj"):
            g = self.proj(g)
        flat = l.reshape(n, c, h * w)
        if cfg["compat"] == "pc":
            score = self.u(l + g.reshape(n, c, 1, 1)).reshape(n, h * w)
        else:
            score = (flat * g.reshape(n, c, 1)).sum(1)
        if cfg["norm"] == "softmax":
            a = torch.softmax(score, 1)
            ga = (flat * a.reshape(n, 1, h * w)).sum(2)
        else:
            a = torch.sigmoid(score)
            ga = (flat * a.reshape(n, 1, h * w)).mean(2)
        return score, a, ga


class LPA(nn.Module):
    """pkg/lpa.Model with identical parameter names."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        c = self.cfg
        cin = c["channels"]
        for b in range(BLOCKS):
            layers = []
            for _ in range(c["convs"][b]):
                layers.append(ConvBN(cin, c["widths"][b]))
                cin = c["widths"][b]
            setattr(self, f"block{b + 1}", nn.ModuleList(layers))
        for m in self.modules():
            if isinstance(m, ConvBN):
                nn.init.kaiming_normal_(m.conv.weight, mode="fan_out", nonlinearity="relu")
        if not c["attention"]:
            self.classify = self._linear(cin, c["classes"])
            return
        k = c["side"] >> BLOCKS
        G = c["widths"][BLOCKS - 1]
        self.dense = nn.Conv2d(cin, G, k)
        total = 0
        for lv in attn_levels(c):
            C = c["widths"][lv + 1]
            setattr(self, f"attn{lv}", Attn(C, G, c["compat"]))
            total += C
        if c["head"] == "concat":
            self.classify = self._linear(total, c["classes"])
        else:
            for lv in attn_levels(c):
                setattr(self, f"classify{lv}", self._linear(c["widths"][lv + 1], c["classes"]))

    @staticmethod
    def _linear(i, o):
        lin = nn.Linear(i, o)
        nn.init.normal_(lin.weight, 0, 0.01)
        nn.init.zeros_(lin.bias)
        return lin

    def forward(self, x):
        """Returns (logits [N, classes], attention maps [N, H*W] per level,
        the baseline's last features or None)."""
        c = self.cfg
        feats, pooled = [], []
        h = x
        for b in range(BLOCKS):
            for layer in getattr(self, f"block{b + 1}"):
                h = layer(h)
            feats.append(h)
            if b == BLOCKS - 1 and not c["attention"]:
                break
            h = F.max_pool2d(h, 2, 2)
            pooled.append(h)
        if not c["attention"]:
            return self.classify(feats[-1].mean((2, 3))), [], feats[-1]
        n = x.shape[0]
        g = self.dense(pooled[-1]).reshape(n, -1)
        maps, descs, logits = [], [], []
        for lv in attn_levels(c):
            l = pooled[lv + 1] if c["placement"] == "after" else feats[lv + 1]
            _, a, ga = getattr(self, f"attn{lv}")(l, g, c)
            maps.append(a)
            if c["head"] == "indep":
                logits.append(getattr(self, f"classify{lv}")(ga))
            else:
                descs.append(ga)
        if c["head"] == "concat":
            return self.classify(torch.cat(descs, 1)), maps, None
        out = logits[0]
        for z in logits[1:]:
            out = out + z
        return out * (1.0 / len(logits)), maps, None


# ------------------------------------------------------ checkpoint I/O

def save_model(model, path, extra=None, meta=None):
    """Write the twin as a pkg/lpa checkpoint (plus extra tensors)."""
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tensors.update(extra or {})
    m = {"format": FORMAT, "config": json.dumps(model.cfg, sort_keys=True)}
    m.update(meta or {})
    write_safetensors(path, tensors, m)


def load_model(path):
    """Build a twin from a pkg/lpa checkpoint (Model.Save); returns (model
    in eval mode, the file's other tensors, metadata). Training state
    (optim., train.) is set aside like lpa.FromFile does."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    cfg = json.loads(meta["config"])
    cfg.pop("class_names", None)
    model = LPA(cfg)
    names = set(model.state_dict())
    model.load_state_dict({k: v for k, v in tensors.items() if k in names}, strict=True)
    model.eval()
    return model, {k: v for k, v in tensors.items() if k not in names}, meta


# ------------------------------------------------------------ evaluation

@torch.no_grad()
def evaluate(model, images, labels, batch=100, limit=0, shard=(0, 1)):
    """pkg/lpa.Model.Evaluate (what `lpa eval` runs): classify images
    [N, 3, S, S] in [0, 1] (numpy, a memory map or torch) in evaluation
    mode. shard = (rank, world) takes only the batches b with b mod world =
    rank. Returns (n, errors) of the batches taken."""
    model.eval()
    dev = next(model.parameters()).device
    done = errors = 0
    for _, lo, hi in shard_batches(len(labels), batch, limit, shard):
        logits, _, _ = model(torch.from_numpy(np.array(images[lo:hi], dtype=np.float32)).to(dev))
        errors += int((logits.argmax(1).cpu() != torch.as_tensor(np.asarray(labels[lo:hi]))).sum())
        done += hi - lo
    return done, errors
