"""PyTorch twin of pkg/caption, Show, Attend and Tell (Xu et al. 2015).

The twin builds the same captioner as the Go model from the same
configuration, with the same parameter names (its state_dict keys are the
Go model file's tensor names), so weights move both ways through
safetensors files. Captioner.loss is the teacher-forced loss of
pkg/caption (NLL plus the doubly stochastic attention penalty).
"""

import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from .shards import shard_batches
from .safetensors import read_safetensors, write_safetensors

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

    def forward(self, images, rows, caps, dropout=False):
        """The teacher-forced loss (loss's dict) of captions of images
        [B, 3, S, S]: the call DistributedDataParallel wraps, so that the
        encoder's gradients are averaged with the decoder's."""
        return self.loss(self.encode(images), rows, caps, dropout)

    def loss(self, ann, rows, caps, dropout=False):
        """Teacher-forced loss of captions (lists of ids, <start> ... <end>)
        of images rows: returns dict(loss, nll, penalty, logits [T*N, V],
        alpha [T*N, L] or None, logp [T*N]: each word's log-probability, 0
        on padding), rows time-major as in Go."""
        cfg = self.cfg
        N = len(caps)
        T = max(len(c) for c in caps) - 1
        ids = padded(caps).to(ann.device)  # [N, T+1]; <pad> after each caption's <end>
        targets = ids[:, 1:].t().reshape(-1)  # time-major: row t*N + k
        mask = (targets != PAD).float()
        inputs = ids[:, :T].t().reshape(-1) * mask.long()  # <pad> after <end>, as Go feeds
        a = ann[torch.as_tensor(rows, device=ann.device)]
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
        pen = torch.zeros((), device=ann.device)
        alpha = None
        if alphas:
            alpha = torch.cat(alphas, 0)
            L = alpha.shape[1]
            s = (alpha.view(T, N, L) * mask.view(T, N, 1)).sum(0)
            pen = ((1 - s) ** 2).sum()
            loss = loss + cfg["lambda"] * pen
        return dict(loss=loss / N, nll=nll, penalty=pen, logits=logits, alpha=alpha, logp=logp)


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


@torch.no_grad()
def nll_sums(model, split, batch=50, limit=0, shard=(0, 1)):
    """pkg/caption.Model.NLL (what training validates on and `caption eval
    --nll` prints) as sums: the teacher-forced negative log-likelihood of
    every reference of an exported split (data.load_captions), <end>
    included, in evaluation mode (batch-norm statistics, no dropout), the
    words' float32 log-probabilities summed in float64 as Go sums them.
    shard = (rank, world) takes only the batches b with b mod world =
    rank. Returns (words, nats) of the batches taken."""
    model.eval()
    dev = next(model.parameters()).device
    words, nats = 0, 0.0
    for _, lo, hi in shard_batches(len(split), batch, limit, shard):
        images, rows, caps = split.batch(range(lo, hi))
        r = model(torch.from_numpy(images).to(dev), rows, caps)
        nats -= float(r["logp"].double().sum())
        words += sum(len(c) - 1 for c in caps)
    return words, nats


def padded(caps):
    """Captions (lists of ids) as one [N, T] tensor, <pad> (0) after each."""
    T = max(len(c) for c in caps)
    return torch.tensor([c + [PAD] * (T - len(c)) for c in caps], dtype=torch.long)
