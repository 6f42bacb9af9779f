#!/usr/bin/python3
"""PyTorch twin of pkg/caption, Show, Attend and Tell (Xu et al. 2015).

The twin builds the same captioner as the Go model from the same
configuration, with the same parameter names (its state_dict keys are the
Go model file's tensor names), so weights move both ways through our
safetensors files. Run from the repository root with Debian's interpreter
(python3-torch and numpy):

    /usr/bin/python3 bench/torch/caption.py --golden   # write testdata/caption/twin_*.safetensors
    /usr/bin/python3 bench/torch/caption.py --bench --threads 1   # training steps/s

--golden writes the fixtures pkg/caption/golden_test.go (TestGoldenTwin)
compares against: a tiny model's weights, a batch of images and captions,
and the teacher-forced logits, attention, NLL, penalty, loss and every
parameter gradient (batch norm on batch statistics, no dropout). Then it
checks the other direction: it asks Go (go test ./pkg/caption -run
TestTwinReadsGoModel, with CAPTION_TWIN_OUT set) to build a model with
Go's initialisation and write it with its inputs and outputs; the twin
loads that file and must reproduce Go's logits and loss within
1e-5 + 1e-4·|want|.

--bench times training steps (forward, loss, backward, Adam) of the default
model on batches of random images with 5 random captions each, lengths
drawn like the built-in scenes' (3 to 21 words), data not timed, and prints
one JSON line. bench/caption.sh runs it beside the Go benchmark.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from lpa import read_safetensors, write_safetensors  # noqa: E402  (same file format)

FIXTURE_DIR = os.path.join(ROOT, "testdata", "caption")
FORMAT = "attnkit.caption/1"  # pkg/caption format
PAD, START, END = 0, 1, 2


def default_config(vocab):
    """pkg/caption.DefaultConfig with the Go JSON field names."""
    return dict(data="builtin", side=64, widths=[32, 64, 128, 128], convs=[1, 1, 1, 2], vocab=vocab,
                embed=64, hidden=192, attn_dim=128, attention="soft", encoder="joint",
                **{"lambda": 0.1}, dropout=0.3, max_len=24)


class ConvBNReLU(nn.Module):
    """nn.ConvBNReLU: 3x3 convolution without bias, batch norm, ReLU."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Named(nn.Module):
    """An empty module that only groups children under a name."""


class Captioner(nn.Module):
    """pkg/caption.Model: VGG encoder (annotations = last block before its
    pool), LSTM decoder with additive attention, gate and deep output."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        D, E, H, A, V = cfg["widths"][-1], cfg["embed"], cfg["hidden"], cfg["attn_dim"], cfg["vocab"]
        self.encoder = Named()
        cin = 3
        for b, (w, n) in enumerate(zip(cfg["widths"], cfg["convs"])):
            layers = []
            for _ in range(n):
                layers.append(ConvBNReLU(cin, w))
                cin = w
            setattr(self.encoder, f"block{b + 1}", nn.Sequential(*layers))
        if cfg["encoder"] == "frozen":
            self.presence = nn.Linear(D, 10)
        self.embed = nn.Embedding(V, E)
        self.init_h = nn.Linear(D, H)
        self.init_c = nn.Linear(D, H)
        if cfg["attention"] != "none":
            self.att = Named()
            self.att.enc = nn.Linear(D, A)
            self.att.dec = nn.Linear(H, A, bias=False)
            self.att.score = nn.Linear(A, 1, bias=False)
            self.gate = nn.Linear(H, 1)
        self.lstm = nn.LSTMCell(E + D, H)
        self.out = Named()
        self.out.h = nn.Linear(H, E)
        self.out.z = nn.Linear(D, E, bias=False)
        self.out.o = nn.Linear(E, V)

    def encode(self, x):
        """Annotations [N, L, D], grid cells in row-major order."""
        nb = len(self.cfg["widths"])
        for b in range(nb):
            x = getattr(self.encoder, f"block{b + 1}")(x)
            if b < nb - 1:
                x = F.max_pool2d(x, 2)
        n, d, h, w = x.shape
        return x.permute(0, 2, 3, 1).reshape(n, h * w, d)

    def loss(self, ann, rows, caps, dropout=False):
        """Teacher-forced loss of captions (lists of ids, <start> ... <end>)
        of images rows: returns dict(loss, nll, penalty, logits [T*N, V],
        alpha [T*N, L] or None), rows time-major as in Go."""
        cfg = self.cfg
        N = len(caps)
        T = max(len(c) for c in caps) - 1
        ids = padded(caps)  # [N, T+1]; <pad> after each caption's <end>
        targets = ids[:, 1:].t().reshape(-1)  # time-major: row t*N + k
        mask = (targets != PAD).float()
        inputs = ids[:, :T].t().reshape(-1) * mask.long()  # <pad> after <end>, as Go feeds
        a = ann[torch.tensor(rows)]
        mean = a.mean(1)
        h, c = torch.tanh(self.init_h(mean)), torch.tanh(self.init_c(mean))
        emb = self.embed(inputs)
        hs, zs, alphas = [], [], []
        proj = self.att.enc(a) if cfg["attention"] != "none" else None
        for t in range(T):
            if cfg["attention"] == "none":
                z = mean
            else:
                e = self.att.score(torch.tanh(proj + self.att.dec(h)[:, None, :])).squeeze(-1)
                alpha = F.softmax(e, 1)
                z = (alpha[:, :, None] * a).sum(1) * torch.sigmoid(self.gate(h))
                alphas.append(alpha)
            h, c = self.lstm(torch.cat([emb[t * N:(t + 1) * N], z], 1), (h, c))
            hs.append(h)
            zs.append(z)
        p = cfg["dropout"]
        H = F.dropout(torch.cat(hs, 0), p, dropout)
        u = emb + self.out.h(H) + self.out.z(torch.cat(zs, 0))
        logits = self.out.o(F.dropout(u, p, dropout))
        logp = F.log_softmax(logits, 1).gather(1, targets[:, None]).squeeze(1) * mask
        nll = -logp.sum()
        loss = nll
        pen = torch.zeros(())
        alpha = None
        if alphas:
            alpha = torch.cat(alphas, 0)
            L = alpha.shape[1]
            s = (alpha.view(T, N, L) * mask.view(T, N, 1)).sum(0)
            pen = ((1 - s) ** 2).sum()
            loss = loss + cfg["lambda"] * pen
        return dict(loss=loss / N, nll=nll, penalty=pen, logits=logits, alpha=alpha)


def save_model(model, path, vocab, extra=None, meta=None):
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tensors.update(extra or {})
    m = {"format": FORMAT, "config": json.dumps(model.cfg, sort_keys=True),
         "vocab": json.dumps({"words": vocab}, separators=(",", ":"))}
    m.update(meta or {})
    write_safetensors(path, tensors, m)


def load_model(path):
    """Build a twin from a pkg/caption model file; returns (model, the
    file's other tensors, metadata)."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    model = Captioner(json.loads(meta["config"]))
    names = set(model.state_dict())
    model.load_state_dict({k: v for k, v in tensors.items() if k in names}, strict=True)
    return model, {k: v for k, v in tensors.items() if k not in names}, meta


# --------------------------------------------------------------- golden

VOCAB = ["<pad>", "<start>", "<end>", "<unk>", "a", "red", "3", "7", "above", "blue"]
TINY = dict(side=16, widths=[4, 6, 8], convs=[1, 1, 1], embed=5, hidden=7, attn_dim=6, dropout=0.0)
CAPTIONS = [[1, 4, 5, 6, 8, 4, 9, 7, 2], [1, 6, 2], [1, 4, 7, 2], [1, 4, 9, 7, 8, 4, 6, 2]]
ROWS = [0, 0, 1, 2]
CASES = [("twin_soft", 11, dict(attention="soft")), ("twin_none", 12, dict(attention="none"))]


def padded(caps):
    T = max(len(c) for c in caps)
    return torch.tensor([c + [PAD] * (T - len(c)) for c in caps], dtype=torch.long)


def golden_case(name, seed, over):
    cfg = default_config(len(VOCAB))
    cfg.update(TINY)
    cfg.update(over)
    torch.manual_seed(seed)
    model = Captioner(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    images = torch.rand(3, 3, cfg["side"], cfg["side"], generator=g)
    model.train()  # batch statistics, as training uses them; dropout is 0
    model.zero_grad()
    out = model.loss(model.encode(images), ROWS, CAPTIONS)
    out["loss"].backward()
    extra = {"golden.images": images, "golden.rows": torch.tensor(ROWS, dtype=torch.long),
             "golden.captions": padded(CAPTIONS), "golden.logits": out["logits"].detach(),
             "golden.loss": out["loss"].detach().reshape(1), "golden.nll": out["nll"].detach().reshape(1),
             "golden.penalty": out["penalty"].detach().reshape(1)}
    if out["alpha"] is not None:
        extra["golden.alpha"] = out["alpha"].detach()
    for k, p in model.named_parameters():
        extra["grad." + k] = p.grad
    # The file's running statistics are the ones before the step, so Go
    # starts from the same state.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
    save_model(model, os.path.join(FIXTURE_DIR, name + ".safetensors"), VOCAB, extra, {
        "description": "pkg/caption twin (bench/torch/caption.py --golden): golden.* = teacher-forced loss in "
                       "training mode (batch statistics, no dropout) of golden.captions (padded with 0) of images "
                       "golden.rows; logits and alpha time-major [T*N, .]; grad.<param> = d golden.loss / d param",
        "generator": "bench/torch/caption.py --golden", "torch": torch.__version__})
    print(f"wrote {name}.safetensors: loss {out['loss'].item():.6f}", file=sys.stderr)


def check(label, pairs):
    worst = 0.0
    for what, got, want in pairs:
        err = (got - want).abs()
        if not bool((err <= 1e-5 + 1e-4 * want.abs()).all()):
            raise AssertionError(f"{label}: {what} differs by up to {err.max().item():.3g}")
        worst = max(worst, err.max().item())
    return worst


def check_go_model(over, label):
    """The reverse direction: Go builds a model with its own initialisation,
    runs the loss on a batch and writes everything; the twin must agree."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "go.safetensors")
        env = dict(os.environ, CAPTION_TWIN_OUT=out, CAPTION_TWIN_ATTENTION=over["attention"])
        subprocess.run(["go", "test", "./pkg/caption", "-run", "^TestTwinReadsGoModel$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        model, rest, _ = load_model(out)
        model.train()
        caps = [[int(v) for v in row if v != PAD] for row in rest["go.captions"]]
        res = model.loss(model.encode(rest["go.images"]), rest["go.rows"].tolist(), caps)
        worst = check(label, [("logits", res["logits"].detach(), rest["go.logits"]),
                              ("loss", res["loss"].detach().reshape(1), rest["go.loss"])])
        print(f"{label}: Go model -> twin logits and loss match (max |diff| {worst:.2e})", file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    for name, seed, over in CASES:
        golden_case(name, seed, over)
        if not skip_go:
            check_go_model(over, name)


# ---------------------------------------------------------------- bench

def bench(threads, batch, steps, warmup, attention, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    cfg = default_config(47)
    cfg["attention"] = attention
    model = Captioner(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 3, cfg["side"], cfg["side"], generator=g)
    rows = [i // 5 for i in range(5 * batch)]
    caps = []
    for _ in rows:
        n = int(torch.randint(3, 22, (1,), generator=g))
        caps.append([START] + torch.randint(4, 47, (n,), generator=g).tolist() + [END])
    model.train()
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad()
        out = model.loss(model.encode(x), rows, caps, dropout=True)
        out["loss"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5)
        opt.step()
    sps = steps / (time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": threads, "batch": batch,
                      "attention": attention, "train_steps_per_s": round(sps, 3)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/caption/twin_*.safetensors")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--bench", action="store_true", help="time training steps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--attention", default="soft")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.golden:
        golden(a.skip_go)
    if a.bench:
        bench(a.threads, a.batch, a.steps, a.warmup, a.attention, a.seed)
    if not (a.golden or a.bench):
        ap.print_help()


if __name__ == "__main__":
    main()
