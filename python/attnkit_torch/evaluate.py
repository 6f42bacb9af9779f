"""Score a glimpse, lpa, nonlocal, imgtx or caption model file on an
exported split, as the Go tool's `eval` does, and print the same line.

    python -m attnkit_torch.evaluate --model M.safetensors --data test.npz [--json]

The model file may come from the Go tools or from the twins' trainers
(the format in its metadata says which model it is); the data from
`glimpse render --format npz`, `lpa render --format npz`, `nonlocal
render --format npz` or `imgtx render --format npz`. For a glimpse
model the greedy episode is `glimpse eval`'s, random first location
included (drawn from Go's generator with --policy-seed and --batch, as
Go draws it), so on the test split the line matches `glimpse eval --json`
field for field; for lpa it matches `lpa eval --json`; for nonlocal
`nonlocal eval --json` but for gflops_per_clip (`nonlocal eval --limit N`
builds its test set from the first N digits: compare it with an export
made with `render --limit N`, not with --limit here); for imgtx `imgtx
eval --json` (bits/dim and nats per image); for caption the teacher-forced
NLL per word of `caption eval --nll --json` (nll_per_word and n; not the
decoding scores). The figures agree
to the last digit unless a float32 rounding difference between torch and
Go flips an image's argmax or a glimpse's pixel corner, which is rare.
"""

import argparse
import json
import math

import torch

from . import caption, imgtx, lpa, nonlocal_net, ram
from .data import load_captions, load_npz
from .safetensors import read_safetensors


def round_half_away(v, d):
    """cliutil.Round: d decimals, halves away from zero (Go's math.Round)."""
    p = 10.0 ** d
    return math.copysign(math.floor(abs(v) * p + 0.5), v) / p


def go_number(v):
    """A float as Go's encoding/json writes it (2 for 2.0)."""
    return int(v) if float(v).is_integer() else v


def lpa_variant(cfg):
    """pkg/lpa.Config.Name."""
    if not cfg["attention"]:
        return "VGG-GAP"
    s = f"(VGG-att{cfg['levels']})-{cfg['head']}-{cfg['compat']}"
    if cfg["norm"] != "softmax":
        s += "-" + cfg["norm"]
    if cfg["placement"] != "before":
        s += "-" + cfg["placement"]
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a glimpse, lpa, nonlocal, imgtx or caption model file (safetensors)")
    ap.add_argument("--data", required=True, help="an exported split (render --format npz)")
    ap.add_argument("--json", action="store_true", help="one JSON object, as the Go tool's --json")
    ap.add_argument("--batch", type=int, default=0, help="images per forward pass (default: the Go tool's, "
                                                         "250 for glimpse, 100 for lpa, 50 for nonlocal and caption, 32 for imgtx)")
    ap.add_argument("--policy-seed", type=int, default=1, help="glimpse: seed of the random first locations")
    ap.add_argument("--limit", type=int, default=0, help="only the first N images")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    _, meta = read_safetensors(a.model)
    fmt = meta.get("format")
    if fmt == ram.FORMAT:
        model, _, _ = ram.load_model(a.model)
        split = load_npz(a.data, want_tool="glimpse")
        if split.meta["task"] != model.cfg["task"]:
            raise SystemExit(f"{a.data} holds task {split.meta['task']}, the model is for {model.cfg['task']}")
        n, errors = ram.evaluate(model, split.images, split.labels, seed=a.policy_seed,
                                 batch=a.batch or 250, limit=a.limit)
        fields = {"task": model.cfg["task"], "error_pct": go_number(round_half_away(100 * errors / n, 2)),
                  "n": n, "errors": errors, "mc": 0, "seed": split.meta["seed"], "model": a.model}
    elif fmt == lpa.FORMAT:
        model, _, _ = lpa.load_model(a.model)
        split = load_npz(a.data, want_tool="lpa")
        if split.meta["side"] != model.cfg["side"] or split.meta["classes"] != model.cfg["classes"]:
            raise SystemExit(f"{a.data} has {split.meta['classes']} classes of {split.meta['side']}-pixel images, "
                             f"the model takes {model.cfg['classes']} of {model.cfg['side']}")
        n, errors = lpa.evaluate(model, split.images, split.labels, batch=a.batch or 100, limit=a.limit)
        fields = {"model": a.model, "variant": lpa_variant(model.cfg), "data": split.meta["data"],
                  "split": split.meta["split"], "n": n, "errors": errors,
                  "error_pct": go_number(round_half_away(100 * errors / n, 2) if n else 0)}
    elif fmt == nonlocal_net.FORMAT:
        model = nonlocal_net.load_model(a.model)
        split = load_npz(a.data, want_tool="nonlocal")
        if split.meta["task"] != model.cfg["task"]:
            raise SystemExit(f"{a.data} holds task {split.meta['task']}, the model is for {model.cfg['task']}")
        n, errors = nonlocal_net.evaluate(model, split.images, split.labels, batch=a.batch or 50, limit=a.limit)
        fields = {"model": a.model, "name": nonlocal_net.config_name(model.cfg), "task": model.cfg["task"],
                  "split": split.meta["split"], "n": n, "errors": errors,
                  "error_pct": go_number(round_half_away(100 * errors / n, 2) if n else 0)}
    elif fmt == imgtx.FORMAT:
        model, _ = imgtx.load_model(a.model)
        c = model.cfg
        split = load_npz(a.data, want_tool="imgtx")
        m = split.meta
        if (m["height"], m["width"], m["channels"]) != (c["height"], c["width"], c["channels"]):
            raise SystemExit(f"{a.data} has {m['height']}x{m['width']}x{m['channels']} images, "
                             f"the model takes {c['height']}x{c['width']}x{c['channels']}")
        dims, nats = imgtx.evaluate(model, split.images, split.labels, batch=a.batch or 32, limit=a.limit)
        n = dims // (c["height"] * c["width"] * c["channels"])
        fields = {"model": a.model, "variant": imgtx.config_name(c), "data": m["data"], "split": m["split"], "n": n,
                  "bits_per_dim": go_number(round_half_away(nats / dims / math.log(2), 4) if n else 0),
                  "nll_nats_per_image": go_number(round_half_away(nats / n, 2) if n else 0)}
    elif fmt == caption.FORMAT:
        model, _, meta = caption.load_model(a.model)
        split = load_captions(a.data)
        if split.meta["vocab"] != json.loads(meta["vocab"])["words"] or split.meta["side"] != model.cfg["side"]:
            raise SystemExit(f"{a.data} has another vocabulary or side ({split.meta['side']}) than the model")
        words, nats = caption.nll_sums(model, split, batch=a.batch or 50, limit=a.limit)
        n = len(split) if a.limit <= 0 else min(a.limit, len(split))
        fields = {"model": a.model, "split": split.meta["split"],
                  "nll_per_word": go_number(round_half_away(nats / words, 4) if words else 0), "n": n}
    else:
        raise SystemExit(f"{a.model}: format {fmt!r}: not a glimpse ({ram.FORMAT}), lpa ({lpa.FORMAT}), "
                         f"nonlocal ({nonlocal_net.FORMAT}), imgtx ({imgtx.FORMAT}) or caption ({caption.FORMAT}) "
                         f"model")
    if a.json:
        print(json.dumps(fields, separators=(",", ":")))
    else:
        print("\t".join(f"{v:g}" if isinstance(v, float) else str(v) for v in fields.values()))


if __name__ == "__main__":
    main()
