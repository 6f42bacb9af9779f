#!/usr/bin/python3
"""PyTorch twin of pkg/lpa, Learn To Pay Attention (Jetley et al. 2018).

The twin builds the same network as the Go model from the same
configuration, with the same parameter names (its state_dict keys are the
Go checkpoint's tensor names), so weights move both ways through our
safetensors files. Run from the repository root with Debian's interpreter
(it has torch 1.13 and numpy):

    /usr/bin/python3 bench/torch/lpa.py --golden    # write testdata/golden/lpa_*.safetensors
    /usr/bin/python3 bench/torch/lpa.py --bench     # training images/s, attend latency

--golden writes the fixtures that pkg/lpa/golden_test.go compares against
(weights with random batch-norm statistics, a batch of images, the logits
and attention maps in evaluation mode, and the logits, loss and every
parameter gradient of one training-mode step), then checks the other
direction: it asks Go (go test ./pkg/lpa -run TestTwinWritesGoCheckpoint,
with LPA_TWIN_OUT set) to build a model with Go's initialisation and save
it with Model.Save; the twin loads that checkpoint and must reproduce Go's
logits and maps. See bench/torch/README.md.
"""

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN_DIR = os.path.join(ROOT, "testdata", "golden")


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


# ------------------------------------------------------------ safetensors

def read_safetensors(path):
    """Return (tensors, metadata) of a safetensors file (F32 and I64)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    kinds = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, h in header.items():
        if h["dtype"] not in kinds:
            raise ValueError(f"{path}: tensor {name!r}: dtype {h['dtype']} not supported")
        lo, hi = h["data_offsets"]
        a = np.frombuffer(data[lo:hi], dtype=np.dtype(kinds[h["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(a.astype(kinds[h["dtype"]]).reshape(h["shape"]))
    return out, meta


def write_safetensors(path, tensors, metadata):
    """Write F32/I64 tensors as safetensors: 8-byte header length, JSON
    header padded with spaces to a multiple of 8, data in sorted-name order.

    The layout is fixtures.write_safetensors', but 0-d tensors keep their
    empty shape (batch norm's num_batches_tracked is a scalar in torch and
    in pkg/nn); numpy's ascontiguousarray, used there, turns them into [1].
    """
    kinds = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        if a.dtype not in kinds:
            raise ValueError(f"{name}: unsupported dtype {a.dtype}")
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes(order="C")
        header[name] = {"dtype": kinds[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    h += b" " * ((-len(h)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)


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


# --------------------------------------------------------------- golden

TINY = dict(widths=[4, 6, 8, 8, 12], convs=[1, 1, 2, 1, 1])

CASES = [
    ("lpa_att3_concat_pc", 100, dict()),
    ("lpa_att2_indep_dp_sigmoid_after", 200, dict(levels=2, compat="dp", head="indep", norm="sigmoid", placement="after")),
    ("lpa_baseline", 300, dict(attention=False)),
]


def golden_case(name, seed, over):
    cfg = default_config()
    cfg.update(TINY)
    cfg.update(over)
    torch.manual_seed(seed)
    model = LPA(cfg)
    # Random affine and running statistics, so evaluation mode is tested
    # with something other than the identity; larger classifier weights so
    # the logits are not all near zero.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
            if isinstance(m, nn.Linear) and m.weight.shape[0] == cfg["classes"]:
                m.weight.mul_(30)
                m.bias.uniform_(-0.1, 0.1)
    g = torch.Generator().manual_seed(seed + 1)
    images = torch.rand(3, 3, cfg["side"], cfg["side"], generator=g)
    labels = torch.randint(0, cfg["classes"], (3,), generator=g)
    extra = {"golden.images": images, "golden.labels": labels.long()}
    # Save before the training step changes the running statistics.
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    model.eval()
    with torch.no_grad():
        logits, maps, feats = model(images)
    extra["golden.eval.logits"] = logits
    for lv, a in zip(attn_levels(cfg), maps):
        extra[f"golden.eval.attn{lv}"] = a
    if feats is not None:
        extra["golden.eval.features"] = feats

    model.train()
    model.zero_grad()
    logits, _, _ = model(images)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    extra["golden.train.logits"] = logits.detach()
    extra["golden.train.loss"] = loss.detach().reshape(1)
    for k, p in model.named_parameters():
        extra["grad." + k] = p.grad
    for k, v in model.state_dict().items():
        if k.endswith("running_mean") or k.endswith("running_var"):
            extra["golden.after." + k] = v.detach().clone()
    model.load_state_dict(state)

    desc = ("pkg/lpa twin (bench/torch/lpa.py): golden.eval.* = forward in eval mode; golden.train.* = "
            "forward in train mode, loss = CE(logits, labels); grad.<param> = d loss / d param; "
            "golden.after.<buffer> = running statistics after that step")
    save_model(model, os.path.join(GOLDEN_DIR, name + ".safetensors"), extra,
               {"description": desc, "generator": "bench/torch/lpa.py --golden", "torch": torch.__version__,
                "tensors": json.dumps({
                    "golden.images": "[N=3, 3, S, S] in [0, 1)", "golden.labels": "[N] I64",
                    "golden.eval.logits": "[N, classes]", "golden.eval.attn<k>": "[N, H*W] attention of level k",
                    "golden.eval.features": "baseline: last block output [N, C, h, w]",
                    "golden.train.logits": "[N, classes]", "golden.train.loss": "[1]",
                    "grad.<param>": "gradient of golden.train.loss",
                    "golden.after.<buffer>": "running statistics after the training step"}, sort_keys=True)})
    print(f"wrote {name}.safetensors: eval logits[0] = {extra['golden.eval.logits'][0, :4].tolist()}",
          file=sys.stderr)
    return cfg


def check_go_checkpoint(over, label):
    """The reverse direction: Go builds and saves a model and its logits and
    maps on a batch; the twin loads the checkpoint and must agree."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "go.safetensors")
        env = dict(os.environ, LPA_TWIN_OUT=out, LPA_TWIN_CONFIG=json.dumps(over))
        subprocess.run(["go", "test", "./pkg/lpa", "-run", "^TestTwinWritesGoCheckpoint$", "-count=1"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        model, rest, _ = load_model(out)
        with torch.no_grad():
            logits, maps, _ = model(rest["twin.images"])
        pairs = [("logits", logits, rest["twin.logits"])]
        for lv, a in zip(attn_levels(model.cfg), maps):
            pairs.append((f"attn{lv}", a, rest[f"twin.attn{lv}"]))
        for what, got, want in pairs:
            err = (got - want).abs()
            tol = 1e-5 + 1e-4 * want.abs()
            if not bool((err <= tol).all()):
                raise AssertionError(f"{label}: twin on the Go checkpoint: {what} differs by up to {err.max().item():.3g}")
        print(f"{label}: Go checkpoint -> twin logits and maps match (max |diff| "
              f"{(logits - rest['twin.logits']).abs().max().item():.2e})", file=sys.stderr)


def golden(skip_go):
    torch.set_num_threads(1)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name, seed, over in CASES:
        golden_case(name, seed, over)
        model, rest, _ = load_model(os.path.join(GOLDEN_DIR, name + ".safetensors"))
        with torch.no_grad():
            again, _, _ = model(rest["golden.images"])
        assert torch.equal(again, rest["golden.eval.logits"]), name
        if not skip_go:
            o = dict(TINY)
            o.update(over)
            check_go_checkpoint(o, name)


# ---------------------------------------------------------------- bench

def bench(threads, batch, steps, warmup, attend_runs, seed, side):
    """Print one JSON line: training images/s (forward, cross-entropy,
    backward and an SGD step with momentum and weight decay on random
    images, data not timed) and the median latency of one image's
    attention forward in eval mode."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    cfg = default_config(side=side)
    model = LPA(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, side, side)
    y = torch.randint(0, cfg["classes"], (batch,))
    model.train()
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad()
        logits, _, _ = model(x)
        F.cross_entropy(logits, y).backward()
        opt.step()
    train_ips = batch * steps / (time.perf_counter() - t0)
    model.eval()
    one = torch.rand(1, 3, side, side)
    lat = []
    with torch.no_grad():
        for i in range(attend_runs + 3):
            t0 = time.perf_counter()
            model(one)
            if i >= 3:
                lat.append(time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": threads, "batch": batch,
                      "model": "(VGG-att3)-concat-pc", "side": side, "train_images_per_s": round(train_ips, 2),
                      "attend_ms_median": round(1000 * statistics.median(lat), 3)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", action="store_true", help="write testdata/golden/lpa_*.safetensors")
    ap.add_argument("--skip-go", action="store_true", help="with --golden: skip the Go -> twin check")
    ap.add_argument("--bench", action="store_true", help="time training and single-image attention")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--attend-runs", type=int, default=50)
    ap.add_argument("--side", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not (a.golden or a.bench):
        ap.error("give --golden or --bench")
    if a.golden:
        golden(a.skip_go)
    if a.bench:
        bench(a.threads, a.batch, a.steps, a.warmup, a.attend_runs, a.seed, a.side)


if __name__ == "__main__":
    main()
