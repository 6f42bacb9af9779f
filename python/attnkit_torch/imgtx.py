"""PyTorch twin of pkg/imgtx's local-1D Image Transformer (Parmar et al. 2018).

The twin builds the same decoder as the Go model from the same
configuration (a pkg/imgtx Config as JSON) with the same parameter names,
so weights move both ways through safetensors files. Its layers are
torch.nn.TransformerEncoderLayer (relu, batch_first, norm_first = the Go
model's prenorm) with the local-1D mask as a boolean attn_mask, so a
comparison covers Go's blocked attention against torch's dense one.
save_model writes a file `imgtx eval --model FILE` loads as it is;
evaluate is pkg/imgtx.Model.Evaluate.
"""

import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .shards import shard_batches
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
        p = cfg.get("dropout", 0.0)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(e, cfg["heads"], cfg["ff"], dropout=p, activation="relu",
                                       batch_first=True, norm_first=cfg.get("prenorm", False))
            for _ in range(cfg["layers"])])
        for layer in self.layers:
            # pkg/nn drops a sublayer's output before the residual sum
            # only (torch's dropout1, dropout2); torch also drops the
            # attention weights and the feed-forward's hidden units.
            layer.self_attn.dropout = 0.0
            layer.dropout = nn.Identity()
        self.drop_input = nn.Dropout(p)  # pkg/imgtx drops the summed input embeddings too
        if cfg.get("prenorm", False):
            self.norm = nn.LayerNorm(e)
        self.head = nn.Linear(e, LEVELS)
        self.register_buffer("hidden", local1d_hidden(self.n, cfg["block_len"], cfg["mem_len"]), persistent=False)

    def input_ids(self, pix):
        """imgtx.inputID: the start token, then the previous sub-pixel in its channel's table."""
        c = self.cfg["channels"]
        prev = pix[:, :-1]
        ch = torch.arange(self.n - 1, device=pix.device) % c
        ids = ch.unsqueeze(0) * LEVELS + prev
        start = torch.full((pix.shape[0], 1), c * LEVELS, dtype=torch.long, device=pix.device)
        return torch.cat([start, ids], dim=1)

    def forward(self, pix, labels=None, blocked=False):
        """pix [B, L] I64 in raster order -> logits [B, L, 256]. blocked
        computes the attention block by block (blocked_layer), as the Go
        model does, instead of the dense masked form; the result is the same."""
        x = self.tok_emb(self.input_ids(pix))
        x = x + (self.pos_emb.weight if self.cfg["positions"] == "learned" else self.pos_tab)
        if self.cfg["cond"] == "class":
            x = x + self.class_emb(labels).unsqueeze(1)
        x = self.drop_input(x)
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


def save_model(model, path, extra=None, meta=None):
    """Write the twin as a pkg/imgtx model file (plus extra tensors)."""
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tensors.update(extra or {})
    m = {"format": FORMAT, "config": json.dumps(model.cfg, sort_keys=True)}
    m.update(meta or {})
    write_safetensors(path, tensors, m)


def default_config(height, width, channels, data="mnist"):
    """pkg/imgtx.DefaultConfig("transformer", ...) with the Go JSON names
    (the ones Go omits when empty are left out)."""
    return dict(arch="transformer", data=data, height=height, width=width, channels=channels, cond="none",
                attention="local1d", block_len=width * channels, mem_len=2 * width * channels,
                query_h=4, query_w=min(7, width) * channels, mem_h=4, mem_w=min(7, width) * channels,
                layers=4, enc_layers=2, embed=128, heads=4, ff=256, dropout=0.1, prenorm=True,
                positions="sinusoidal")


def config_name(cfg):
    """pkg/imgtx.Config.Name, the variant `imgtx eval` prints."""
    s = cfg["arch"]
    if cfg["arch"] == "transformer":
        s += " " + cfg["attention"]
    s += " %d layers" % cfg["layers"]
    if cfg["cond"] != "none":
        s += " cond " + cfg["cond"]
    return s


def pixels(images):
    """The model's sub-pixel sequences [B, H*W*C] (int64, raster order,
    channels innermost) of exported images [B, C, H, W] (value k as k/255)."""
    x = images if isinstance(images, torch.Tensor) else torch.from_numpy(np.array(images, dtype=np.float32))
    return torch.round(x * 255).long().permute(0, 2, 3, 1).reshape(x.shape[0], -1)


@torch.no_grad()
def evaluate(model, images, labels, batch=32, limit=0, shard=(0, 1)):
    """pkg/imgtx.Model.Evaluate (what `imgtx eval` runs): the negative
    log-likelihood of exported images [N, C, H, W] in evaluation mode, a
    float32 mean per batch times its sub-pixels, summed in float64 as Go
    sums it. shard = (rank, world) takes only the batches b with b mod
    world = rank. Returns (sub-pixels, nats) of the batches taken."""
    model.eval()
    dev = next(model.parameters()).device
    dims, nats = 0, 0.0
    for _, lo, hi in shard_batches(len(labels), batch, limit, shard):
        pix = pixels(images[lo:hi]).to(dev)
        y = torch.as_tensor(np.asarray(labels[lo:hi])).to(dev)
        loss = nll(model(pix, y if model.cfg["cond"] == "class" else None), pix)
        nats += float(loss) * pix.numel()
        dims += pix.numel()
    return dims, nats


def load_model(path):
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    cfg = json.loads(meta["config"])
    model = ImageTransformer(cfg)
    names = set(model.state_dict())
    model.load_state_dict({k: v for k, v in tensors.items() if k in names}, strict=True)
    model.eval()
    return model, {k: v for k, v in tensors.items() if k not in names}
