"""PyTorch twin of pkg/imgtx's local-1D Image Transformer (Parmar et al. 2018).

The twin builds the same decoder as the Go model from the same
configuration (a pkg/imgtx Config as JSON) with the same parameter names,
so weights move both ways through safetensors files. Its layers are
torch.nn.TransformerEncoderLayer (relu, batch_first, norm_first = the Go
model's prenorm) with the local-1D mask as a boolean attn_mask, so a
comparison covers Go's blocked attention against torch's dense one.
"""

import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .safetensors import read_safetensors, write_safetensors

FORMAT = "attnkit.imgtx/1"  # pkg/imgtx.Format
LEVELS = 256


def sinusoid(n, p):
    """nn.sinusoid: feature 2i = sin(p / 10000^(2i/n)), 2i+1 its cosine."""
    out = []
    for i in range(n):
        freq = math.pow(10000, -float(i - i % 2) / n)
        out.append(math.sin(p * freq) if i % 2 == 0 else math.cos(p * freq))
    return out


def positions(rows, cols, dim):
    """nn.SinusoidalPositions2D: [rows*cols, dim], rows then columns."""
    half = dim // 2
    t = [sinusoid(half, r) + sinusoid(dim - half, c) for r in range(rows) for c in range(cols)]
    return torch.tensor(t, dtype=torch.float64).float()


def local1d_hidden(n, block, mem):
    """Boolean attn_mask, True = hidden: key j is visible to query i iff
    j <= i and j >= (i // block) * block - mem."""
    i = torch.arange(n).unsqueeze(1)
    j = torch.arange(n).unsqueeze(0)
    visible = (j <= i) & (j >= (i // block) * block - mem)
    return ~visible


class ImageTransformer(nn.Module):
    """The local-1D decoder of pkg/imgtx (transformer.go) for cond none or class."""

    def __init__(self, cfg):
        super().__init__()
        assert cfg["arch"] == "transformer" and cfg["attention"] == "local1d" and cfg["cond"] in ("none", "class")
        self.cfg = cfg
        e, c = cfg["embed"], cfg["channels"]
        self.n = cfg["height"] * cfg["width"] * c
        self.tok_emb = nn.Embedding(c * LEVELS + 1, e)
        if cfg["positions"] == "learned":
            self.pos_emb = nn.Module()
            self.pos_emb.weight = nn.Parameter(torch.randn(self.n, e) * 0.02)
        else:
            self.register_buffer("pos_tab", positions(cfg["height"], cfg["width"] * c, e), persistent=False)
        if cfg["cond"] == "class":
            self.class_emb = nn.Embedding(cfg["classes"], e)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(e, cfg["heads"], cfg["ff"], dropout=0.0, activation="relu",
                                       batch_first=True, norm_first=cfg.get("prenorm", False))
            for _ in range(cfg["layers"])])
        if cfg.get("prenorm", False):
            self.norm = nn.LayerNorm(e)
        self.head = nn.Linear(e, LEVELS)
        self.register_buffer("hidden", local1d_hidden(self.n, cfg["block_len"], cfg["mem_len"]), persistent=False)

    def input_ids(self, pix):
        """imgtx.inputID: the start token, then the previous sub-pixel in its channel's table."""
        c = self.cfg["channels"]
        prev = pix[:, :-1]
        ch = torch.arange(self.n - 1) % c
        ids = ch.unsqueeze(0) * LEVELS + prev
        start = torch.full((pix.shape[0], 1), c * LEVELS, dtype=torch.long)
        return torch.cat([start, ids], dim=1)

    def forward(self, pix, labels=None):
        """pix [B, L] I64 in raster order -> logits [B, L, 256]."""
        x = self.tok_emb(self.input_ids(pix))
        x = x + (self.pos_emb.weight if self.cfg["positions"] == "learned" else self.pos_tab)
        if self.cfg["cond"] == "class":
            x = x + self.class_emb(labels).unsqueeze(1)
        for layer in self.layers:
            x = layer(x, src_mask=self.hidden)
        if self.cfg.get("prenorm", False):
            x = self.norm(x)
        return self.head(x)


def nll(logits, pix):
    return F.cross_entropy(logits.reshape(-1, LEVELS), pix.reshape(-1))


def save_model(model, path, extra=None):
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tensors.update(extra or {})
    write_safetensors(path, tensors, {"format": FORMAT, "config": json.dumps(model.cfg, sort_keys=True)})


def load_model(path):
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    cfg = json.loads(meta["config"])
    model = ImageTransformer(cfg)
    names = set(model.state_dict())
    model.load_state_dict({k: v for k, v in tensors.items() if k in names}, strict=True)
    return model, {k: v for k, v in tensors.items() if k not in names}
