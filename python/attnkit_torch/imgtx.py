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

    def forward(self, pix, labels=None, blocked=False):
        """pix [B, L] I64 in raster order -> logits [B, L, 256]. blocked
        computes the attention block by block (blocked_layer), as the Go
        model does, instead of the dense masked form; the result is the same."""
        x = self.tok_emb(self.input_ids(pix))
        x = x + (self.pos_emb.weight if self.cfg["positions"] == "learned" else self.pos_tab)
        if self.cfg["cond"] == "class":
            x = x + self.class_emb(labels).unsqueeze(1)
        for layer in self.layers:
            if blocked:
                x = blocked_layer(layer, x, self.cfg["block_len"], self.cfg["mem_len"], self.cfg.get("prenorm", False))
            else:
                x = layer(x, src_mask=self.hidden)
        if self.cfg.get("prenorm", False):
            x = self.norm(x)
        return self.head(x)


def blocked_attention(attn, h, block, mem):
    """attn (an nn.MultiheadAttention, batch_first) over h [B, L, E] with
    the local-1D pattern computed per query block: each block of `block`
    queries against its own keys and the `mem` before them, so the cost is
    L * (block + mem) rather than L * L. L must be a multiple of block and
    mem of block."""
    b, n, e = h.shape
    nh = attn.num_heads
    d = e // nh
    assert n % block == 0 and mem % block == 0
    q, k, v = F.linear(h, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
    q, k, v = (t.reshape(b, n, nh, d).transpose(1, 2) for t in (q, k, v))  # [B, H, L, d]
    nb, w = n // block, mem + block
    kw = F.pad(k, (0, 0, mem, 0)).unfold(2, w, block).transpose(-1, -2)  # [B, H, nb, w, d]
    vw = F.pad(v, (0, 0, mem, 0)).unfold(2, w, block).transpose(-1, -2)
    qb = q.reshape(b, nh, nb, block, d)
    scores = qb @ kw.transpose(-1, -2) / math.sqrt(d)  # [B, H, nb, block, w]
    t = torch.arange(block).view(1, block, 1)
    s = torch.arange(w).view(1, 1, w)
    first = torch.arange(nb).view(nb, 1, 1) * block - mem  # absolute position of window slot 0
    hidden = (s > mem + t) | (first + s < 0)  # [nb, block, w]
    scores = scores.masked_fill(hidden, float("-inf"))
    y = (scores.softmax(-1) @ vw).reshape(b, nh, n, d).transpose(1, 2).reshape(b, n, e)
    return attn.out_proj(y)


def blocked_layer(layer, x, block, mem, prenorm):
    """An nn.TransformerEncoderLayer (relu, no dropout) with blocked_attention."""
    ff = lambda h: layer.linear2(F.relu(layer.linear1(h)))  # noqa: E731
    if prenorm:
        x = x + blocked_attention(layer.self_attn, layer.norm1(x), block, mem)
        return x + ff(layer.norm2(x))
    x = layer.norm1(x + blocked_attention(layer.self_attn, x, block, mem))
    return layer.norm2(x + ff(x))


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
