#!/usr/bin/python3
"""PyTorch twin of pkg/imgtx's local-1D Image Transformer (Parmar et al. 2018).

The twin builds the same decoder as the Go model from the same
configuration (a pkg/imgtx Config as JSON) with the same parameter names,
so weights move both ways through our safetensors files. Its layers are
torch.nn.TransformerEncoderLayer (relu, batch_first, norm_first = the Go
model's prenorm) with the local-1D mask as a boolean attn_mask, so the
check covers Go's blocked attention against torch's dense one. Run from
the repository root with Debian's interpreter (torch 1.13 and numpy):

    /usr/bin/python3 bench/torch/imgtx.py --golden   # write testdata/imgtx/imgtx_*.safetensors
    /usr/bin/python3 bench/torch/imgtx.py --bench    # training images/s

--golden writes the fixtures pkg/imgtx/golden_test.go compares against
(weights, a batch of images and labels, the logits, the mean NLL and
every parameter gradient), then checks the other direction: it asks Go
(go test ./pkg/imgtx -run TestTwinWritesGoCheckpoint, with IMGTX_TWIN_OUT
set) to build and save a model with Go's initialisation and its logits on
a batch; the twin loads it and must reproduce them within
|diff| <= 1e-5 + 1e-4 |want|.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lpa import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN_DIR = os.path.join(ROOT, "testdata", "imgtx")
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


def tiny_config(**over):
    """A small pkg/imgtx Config (Go JSON names) for the fixtures."""
    cfg = dict(arch="transformer", data="mnist", height=4, width=5, channels=1, cond="none",
               attention="local1d", block_len=3, mem_len=4, layers=2, embed=8, heads=2, ff=12,
               prenorm=True, positions="sinusoidal", dropout=0)
    cfg.update(over)
    return cfg


CASES = [
    ("imgtx_local1d", 1, tiny_config()),
    ("imgtx_local1d_rgb_postnorm_learned", 2, tiny_config(height=3, width=3, channels=3, prenorm=False,
                                                           positions="learned", block_len=5, mem_len=6)),
    ("imgtx_local1d_class", 3, tiny_config(cond="class", classes=3, heads=4)),
]


def golden_case(name, seed, cfg):
    torch.manual_seed(seed)
    model = ImageTransformer(cfg)
    with torch.no_grad():  # biases are zero at init; make them count
        for k, p in model.named_parameters():
            if k.endswith("bias"):
                p.normal_(0, 0.2)
    pix = torch.randint(0, LEVELS, (2, model.n))
    labels = torch.randint(0, cfg.get("classes", 1), (2,))
    logits = model(pix, labels)
    loss = nll(logits, pix)
    loss.backward()
    extra = {"golden.pixels": pix, "golden.labels": labels, "golden.logits": logits.detach(),
             "golden.loss": loss.detach().reshape(1)}
    for k, p in model.named_parameters():
        extra["grad." + k] = p.grad.detach().clone()
    save_model(model, os.path.join(GOLDEN_DIR, name + ".safetensors"), extra)
    print(f"wrote {name}.safetensors: loss {loss.item():.6f}", file=sys.stderr)


def check_go_checkpoint(cfg, label):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "go.safetensors")
        env = dict(os.environ, IMGTX_TWIN_OUT=out, IMGTX_TWIN_CONFIG=json.dumps(cfg))
        subprocess.run(["go", "test", "./pkg/imgtx", "-run", "^TestTwinWritesGoCheckpoint$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        model, rest = load_model(out)
        with torch.no_grad():
            logits = model(rest["twin.pixels"], rest["twin.labels"])
            loss = nll(logits, rest["twin.pixels"])
        worst = 0.0
        for what, got, want in [("logits", logits, rest["twin.logits"]), ("loss", loss.reshape(1), rest["twin.loss"])]:
            err = (got - want).abs()
            if not bool((err <= 1e-5 + 1e-4 * want.abs()).all()):
                raise AssertionError(f"{label}: twin on the Go checkpoint: {what} differs by up to {err.max().item():.3g}")
            worst = max(worst, err.max().item())
        print(f"{label}: Go checkpoint -> twin logits and loss match (max |diff| {worst:.2e})", file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name, seed, cfg in CASES:
        golden_case(name, seed, cfg)
        if not skip_go:
            check_go_checkpoint(cfg, name)


def bench(threads, batch, steps, warmup):
    """Training images/s of the default 28x28 local-1D model (forward, NLL,
    backward, Adam; random images, data not timed)."""
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    cfg = tiny_config(height=28, width=28, block_len=28, mem_len=56, layers=4, embed=128, heads=4, ff=256)
    model = ImageTransformer(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    pix = torch.randint(0, LEVELS, (batch, model.n))
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad()
        nll(model(pix), pix).backward()
        opt.step()
    ips = batch * steps / (time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": threads, "batch": batch,
                      "model": "local1d 4x128", "train_images_per_s": round(ips, 2)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/imgtx/imgtx_*.safetensors")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--bench", action="store_true", help="time training steps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    if a.golden:
        golden(a.skip_go)
    if a.bench:
        bench(a.threads, a.batch, a.steps, a.warmup)
    if not (a.golden or a.bench):
        ap.print_help()


if __name__ == "__main__":
    main()
