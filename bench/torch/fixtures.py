#!/usr/bin/python3
"""Write the golden tensors that the Go tests compare against.

Run from the repository root with Debian's interpreter (it has torch):

    /usr/bin/python3 bench/torch/fixtures.py

Every case becomes one testdata/golden/<case>.safetensors file. Names follow
one scheme in all files:

    input          the op's input (logits for the losses)
    <param>        parameters under their torch state_dict names
    output         the op's output
    grad_output    the upstream gradient used to seed backward
    grad.<name>    d(sum(output * grad_output)) / d<name>

Each file's __metadata__ holds the hyper-parameters ("stride", "lr", ...),
a one-line "description" and a "tensors" entry listing what every tensor is.
The script is deterministic: fixed seeds, fixed shapes, float32 (F32), with
targets and masks stored as int64 (I64). It writes with the safetensors
encoder of python/attnkit_torch, since torch 1.13 ships without the
safetensors package.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "testdata", "golden")
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from attnkit_torch.safetensors import write_safetensors as package_write  # noqa: E402


def write_safetensors(path, tensors, metadata):
    """The package's writer, with every 0-d tensor (a loss) stored as [1]:
    the fixtures' convention since before the writer kept scalars 0-d."""
    flat = {}
    for name, t in tensors.items():
        if isinstance(t, torch.Tensor):
            t = t.detach().cpu().numpy()
        a = np.asarray(t)
        flat[name] = a.reshape(1) if a.ndim == 0 else a
    package_write(path, flat, metadata)


def save(case, tensors, description, names, **hyper):
    """Write one case; names maps tensor name -> what it is."""
    missing = set(tensors) ^ set(names)
    if missing:
        raise ValueError(f"{case}: tensors and their descriptions differ: {sorted(missing)}")
    meta = {"description": description, "tensors": json.dumps(names, sort_keys=True),
            "generator": "bench/torch/fixtures.py", "torch": torch.__version__}
    meta.update(hyper)
    path = os.path.join(OUT_DIR, case + ".safetensors")
    write_safetensors(path, tensors, meta)
    CATALOGUE.append((case, description, names, hyper))


CATALOGUE = []


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def leaf(t):
    return t.clone().requires_grad_(True)


# ---------------------------------------------------------------- conv2d

def conv2d_case(case, stride, padding, dilation, seed):
    torch.manual_seed(seed)
    conv = torch.nn.Conv2d(3, 4, 3, stride=stride, padding=padding, dilation=dilation, bias=True)
    with torch.no_grad():
        conv.weight.copy_(randn(4, 3, 3, 3) * 0.5)
        conv.bias.copy_(randn(4) * 0.5)
    x = leaf(randn(2, 3, 9, 9))
    y = conv(x)
    gy = randn(*y.shape)
    y.backward(gy)
    save(case, {
        "input": x, "weight": conv.weight, "bias": conv.bias,
        "output": y, "grad_output": gy,
        "grad.input": x.grad, "grad.weight": conv.weight.grad, "grad.bias": conv.bias.grad,
    }, f"torch.nn.Conv2d(3, 4, 3, stride={stride}, padding={padding}, dilation={dilation}) on NCHW input",
        {"input": "[N=2,Cin=3,H=9,W=9] NCHW", "weight": "[Cout=4,Cin=3,kH=3,kW=3]", "bias": "[Cout]",
         "output": f"{list(y.shape)} NCHW", "grad_output": "upstream gradient, shape of output",
         "grad.input": "shape of input", "grad.weight": "shape of weight", "grad.bias": "shape of bias"},
        stride=stride, padding=padding, dilation=dilation)


# ---------------------------------------------------------- batchnorm2d

def batchnorm_cases():
    torch.manual_seed(10)
    c = 3
    weight = randn(c) * 0.5 + 1
    bias = randn(c) * 0.5
    rm0 = randn(c) * 0.3
    rv0 = torch.rand(c) + 0.5
    x0 = randn(4, c, 5, 5) * 1.5 + 0.7

    bn = torch.nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(weight)
        bn.bias.copy_(bias)
        bn.running_mean.copy_(rm0)
        bn.running_var.copy_(rv0)
    bn.train()
    x = leaf(x0)
    y = bn(x)
    gy = randn(*y.shape)
    y.backward(gy)
    save("batchnorm2d_train", {
        "input": x, "weight": weight, "bias": bias,
        "running_mean": rm0, "running_var": rv0,
        "output": y, "grad_output": gy,
        "grad.input": x.grad, "grad.weight": bn.weight.grad, "grad.bias": bn.bias.grad,
        "running_mean.after": bn.running_mean, "running_var.after": bn.running_var,
    }, "torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1) in train mode: batch statistics "
       "(biased variance for normalising), running stats updated with the unbiased variance",
        {"input": "[N=4,C=3,H=5,W=5]", "weight": "gamma [C]", "bias": "beta [C]",
         "running_mean": "running mean before the step [C]", "running_var": "running var before the step [C]",
         "output": "shape of input", "grad_output": "upstream gradient, shape of output",
         "grad.input": "shape of input", "grad.weight": "[C]", "grad.bias": "[C]",
         "running_mean.after": "(1-momentum)*running_mean + momentum*batch_mean",
         "running_var.after": "(1-momentum)*running_var + momentum*batch_var_unbiased (divisor N*H*W-1)"},
        eps=1e-5, momentum=0.1, mode="train")

    torch.manual_seed(11)
    bn.zero_grad()
    with torch.no_grad():
        bn.running_mean.copy_(rm0)
        bn.running_var.copy_(rv0)
    bn.eval()
    x = leaf(randn(4, c, 5, 5) * 1.5 + 0.7)
    y = bn(x)
    gy = randn(*y.shape)
    y.backward(gy)
    save("batchnorm2d_eval", {
        "input": x, "weight": weight, "bias": bias,
        "running_mean": rm0, "running_var": rv0,
        "output": y, "grad_output": gy,
        "grad.input": x.grad, "grad.weight": bn.weight.grad, "grad.bias": bn.bias.grad,
    }, "torch.nn.BatchNorm2d(3, eps=1e-5) in eval mode: y = (x-running_mean)/sqrt(running_var+eps)*weight+bias; "
       "running stats are constants and stay unchanged",
        {"input": "[N=4,C=3,H=5,W=5]", "weight": "gamma [C]", "bias": "beta [C]",
         "running_mean": "[C]", "running_var": "[C]",
         "output": "shape of input", "grad_output": "upstream gradient, shape of output",
         "grad.input": "shape of input", "grad.weight": "[C]", "grad.bias": "[C]"},
        eps=1e-5, mode="eval")


# ------------------------------------------------------------------ lstm

def lstm_case():
    torch.manual_seed(20)
    T, B, I, H = 4, 3, 5, 7
    cell = torch.nn.LSTMCell(I, H)  # default init U(-1/sqrt(H), 1/sqrt(H)) from the seed
    xs = leaf(randn(T, B, I))
    h0 = leaf(randn(B, H) * 0.5)
    c0 = leaf(randn(B, H) * 0.5)
    h, c = h0, c0
    hs, cs = [], []
    for t in range(T):
        h, c = cell(xs[t], (h, c))
        hs.append(h)
        cs.append(c)
    hs = torch.stack(hs)
    cs = torch.stack(cs)
    gy = randn(T, B, H)
    (hs * gy).sum().backward()
    p = dict(cell.named_parameters())
    save("lstm_cell", {
        "input": xs, "h0": h0, "c0": c0,
        "weight_ih": p["weight_ih"], "weight_hh": p["weight_hh"],
        "bias_ih": p["bias_ih"], "bias_hh": p["bias_hh"],
        "output": hs, "c": cs, "grad_output": gy,
        "grad.input": xs.grad, "grad.h0": h0.grad, "grad.c0": c0.grad,
        "grad.weight_ih": p["weight_ih"].grad, "grad.weight_hh": p["weight_hh"].grad,
        "grad.bias_ih": p["bias_ih"].grad, "grad.bias_hh": p["bias_hh"].grad,
    }, "torch.nn.LSTMCell(5, 7) unrolled over T=4 steps from (h0, c0): "
       "gates = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh split in torch order i,f,g,o; "
       "c_t = sigmoid(f)*c_{t-1} + sigmoid(i)*tanh(g); h_t = sigmoid(o)*tanh(c_t); "
       "loss = sum_t sum(h_t * grad_output[t]) (no gradient flows in through c_t)",
        {"input": "x_t stacked [T=4,B=3,I=5]", "h0": "[B,H=7]", "c0": "[B,H]",
         "weight_ih": "[4H=28,I] rows i,f,g,o", "weight_hh": "[4H,H] rows i,f,g,o",
         "bias_ih": "[4H]", "bias_hh": "[4H]",
         "output": "h_t stacked [T,B,H]", "c": "c_t stacked [T,B,H]",
         "grad_output": "dloss/dh_t stacked [T,B,H]",
         "grad.input": "[T,B,I]", "grad.h0": "[B,H]", "grad.c0": "[B,H]",
         "grad.weight_ih": "[4H,I]", "grad.weight_hh": "[4H,H]",
         "grad.bias_ih": "[4H]", "grad.bias_hh": "[4H]"},
        input_size=I, hidden_size=H, steps=T, gate_order="i,f,g,o")


# ------------------------------------------------------------- attention

def local_mask(L, lq, lm):
    """True = masked. Key j is visible to query i iff j <= i and
    j >= (i//lq)*lq - lm: causal inside the query block plus the lm
    positions before the block (Image Transformer local 1D)."""
    m = torch.ones(L, L, dtype=torch.bool)
    for i in range(L):
        lo = (i // lq) * lq - lm
        for j in range(L):
            if j <= i and j >= lo:
                m[i, j] = False
    return m


def mha_case(case, mask, mask_desc, seed):
    torch.manual_seed(seed)
    E, heads, B, L = 8, 2, 2, 6
    mha = torch.nn.MultiheadAttention(E, heads, dropout=0.0, bias=True, batch_first=True)
    with torch.no_grad():
        # torch zero-initialises both biases; random values test them too.
        mha.in_proj_bias.copy_(randn(3 * E) * 0.3)
        mha.out_proj.bias.copy_(randn(E) * 0.3)
    x = leaf(randn(B, L, E))
    y, w = mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
    gy = randn(*y.shape)
    y.backward(gy)
    p = dict(mha.named_parameters())
    tensors = {
        "input": x, "in_proj_weight": p["in_proj_weight"], "in_proj_bias": p["in_proj_bias"],
        "out_proj.weight": p["out_proj.weight"], "out_proj.bias": p["out_proj.bias"],
        "output": y, "attn_weights": w, "grad_output": gy,
        "grad.input": x.grad, "grad.in_proj_weight": p["in_proj_weight"].grad,
        "grad.in_proj_bias": p["in_proj_bias"].grad,
        "grad.out_proj.weight": p["out_proj.weight"].grad, "grad.out_proj.bias": p["out_proj.bias"].grad,
    }
    names = {
        "input": "query = key = value [B=2,L=6,E=8] (batch_first)",
        "in_proj_weight": "[3E=24,E] rows: W_q, W_k, W_v", "in_proj_bias": "[3E] b_q, b_k, b_v",
        "out_proj.weight": "[E,E]", "out_proj.bias": "[E]",
        "output": "[B,L,E]", "attn_weights": "softmax probabilities per head [B,heads=2,Lq=6,Lk=6]",
        "grad_output": "upstream gradient [B,L,E]",
        "grad.input": "[B,L,E] (sum over its three uses as q, k, v)",
        "grad.in_proj_weight": "[3E,E]", "grad.in_proj_bias": "[3E]",
        "grad.out_proj.weight": "[E,E]", "grad.out_proj.bias": "[E]",
    }
    if mask is not None:
        tensors["attn_mask"] = mask.to(torch.int64)
        names["attn_mask"] = "[Lq,Lk] int64, 1 = masked (torch bool attn_mask True), 0 = visible"
    save(case, tensors,
         "torch.nn.MultiheadAttention(8, 2, batch_first=True) self-attention, dropout 0; "
         "head h uses columns [h*4,(h+1)*4) of the projected q, k, v; scores scaled by 1/sqrt(4); "
         "mask: " + mask_desc,
         names, embed_dim=E, num_heads=heads, mask=mask_desc)


# ---------------------------------------------------------------- losses

def cross_entropy_case(case, targets, ignore_index, seed):
    torch.manual_seed(seed)
    logits = leaf(randn(5, 7) * 2)
    tgt = torch.tensor(targets, dtype=torch.int64)
    loss = F.cross_entropy(logits, tgt, ignore_index=ignore_index, reduction="mean")
    gy = torch.tensor(0.75)
    loss.backward(gy)
    save(case, {
        "input": logits, "target": tgt, "output": loss.reshape(1), "grad_output": gy.reshape(1),
        "grad.input": logits.grad,
    }, f"F.cross_entropy(logits, target, ignore_index={ignore_index}, reduction='mean'): "
       "mean over the rows whose target is not ignore_index; ignored rows get zero gradient",
        {"input": "logits [N=5,classes=7]", "target": f"int64 class per row [N]; one row equals {ignore_index}",
         "output": "loss, shape [1]", "grad_output": "upstream gradient of the loss, shape [1] (0.75)",
         "grad.input": "[N,classes]"},
        ignore_index=ignore_index, reduction="mean")


def log_softmax_case():
    torch.manual_seed(31)
    x = leaf(randn(5, 7) * 2)
    y = F.log_softmax(x, dim=1)
    gy = randn(*y.shape)
    y.backward(gy)
    save("log_softmax", {"input": x, "output": y, "grad_output": gy, "grad.input": x.grad},
         "F.log_softmax(input, dim=1)",
         {"input": "[5,7]", "output": "[5,7]", "grad_output": "[5,7]", "grad.input": "[5,7]"}, dim=1)


# ------------------------------------------------------------ optimizers

def optim_case(case, make_opt, state_keys, description, hyper, seed):
    torch.manual_seed(seed)
    p0 = randn(3, 4)
    g1 = randn(3, 4)
    g2 = randn(3, 4)
    p = torch.nn.Parameter(p0.clone())
    opt = make_opt([p])
    tensors = {"param": p0, "grad.step1": g1, "grad.step2": g2}
    names = {"param": "[3,4] before step 1", "grad.step1": "gradient given at step 1",
             "grad.step2": "gradient given at step 2"}
    for step, g in ((1, g1), (2, g2)):
        p.grad = g.clone()
        opt.step()
        tensors[f"param.step{step}"] = p.detach().clone()
        names[f"param.step{step}"] = f"param after step {step}"
        st = opt.state[p]
        for k in state_keys:
            tensors[f"{k}.step{step}"] = st[k].clone()
            names[f"{k}.step{step}"] = f"optimizer state {k} after step {step}"
    save(case, tensors, description, names, **hyper)


def optim_cases():
    lr, betas, eps, wd = 1e-2, (0.9, 0.999), 1e-8, 0.1
    common = dict(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=wd)
    optim_case("adam", lambda ps: torch.optim.Adam(ps, lr=lr, betas=betas, eps=eps, weight_decay=wd),
               ["exp_avg", "exp_avg_sq"],
               "torch.optim.Adam, two steps; L2 weight decay added to the gradient (g += wd*p) before the moments; "
               "p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)",
               common, 40)
    optim_case("adamw", lambda ps: torch.optim.AdamW(ps, lr=lr, betas=betas, eps=eps, weight_decay=wd),
               ["exp_avg", "exp_avg_sq"],
               "torch.optim.AdamW, two steps; decoupled decay p *= 1 - lr*wd first, then the Adam update",
               common, 40)
    slr, mom, swd = 0.1, 0.9, 5e-4
    optim_case("sgd_nesterov",
               lambda ps: torch.optim.SGD(ps, lr=slr, momentum=mom, dampening=0, weight_decay=swd, nesterov=True),
               ["momentum_buffer"],
               "torch.optim.SGD(momentum=0.9, nesterov=True, weight_decay=5e-4), two steps: "
               "g += wd*p; buf = g at step 1, buf = mom*buf + g after; p -= lr*(g + mom*buf)",
               dict(lr=slr, momentum=mom, dampening=0, weight_decay=swd, nesterov="true"), 41)


# --------------------------------------------------------------- glimpse

def glimpse_case():
    """Crop-and-resize with bilinear sampling as grid_sample defines it.

    A square of side s image pixels centred at l = (lx, ly) in [-1,1]^2
    ((-1,-1) = top-left corner of the image, (1,1) = bottom-right corner,
    lx along the width) is resized to g x g. With align_corners=False the
    affine grid places output sample (r, q) at continuous pixel coordinates
        x = cx + s*((q+0.5)/g - 0.5) - 0.5,   cx = (lx+1)*W/2
        y = cy + s*((r+0.5)/g - 0.5) - 0.5,   cy = (ly+1)*H/2
    where pixel k has its centre at coordinate k: each output value is the
    bilinear interpolation at the centre of one of g x g equal sub-cells of
    the square; samples beyond the image read zeros.
    """
    torch.manual_seed(50)
    N, C, H, W = 2, 2, 12, 10
    g = 4
    scales = [4, 8, 16]
    img = leaf(randn(N, C, H, W))
    # Bilinear sampling has kinks where a sample lands on a pixel centre,
    # where the gradient to loc depends on which side rounding falls: these
    # locations keep every sample at least 0.05 pixel away from one.
    loc = leaf(torch.tensor([[0.13, -0.31], [-0.69, 0.57]], dtype=torch.float32))
    outs = []
    for s in scales:
        zero = torch.zeros(N)
        theta = torch.stack([
            torch.stack([torch.full((N,), s / W), zero, loc[:, 0]], dim=1),
            torch.stack([zero, torch.full((N,), s / H), loc[:, 1]], dim=1),
        ], dim=1)  # [N,2,3]
        grid = F.affine_grid(theta, [N, C, g, g], align_corners=False)
        outs.append(F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False))
    y = torch.stack(outs, dim=1)  # [N,k,C,g,g]
    gy = randn(*y.shape)
    y.backward(gy)
    save("glimpse", {
        "input": img, "loc": loc, "output": y, "grad_output": gy,
        "grad.input": img.grad, "grad.loc": loc.grad,
    }, "Glimpse crop-and-resize via F.affine_grid + F.grid_sample(bilinear, zeros, align_corners=False): "
       "scale k takes a square of side scales[k] pixels centred at loc and resizes it to g x g; "
       "sample (r,q) sits at pixel coordinate x = (lx+1)*W/2 + s*((q+0.5)/g-0.5) - 0.5 (pixel centres at integers), "
       "likewise y with ly, H, r",
        {"input": "image [N=2,C=2,H=12,W=10]", "loc": "[N,2] (lx along width, ly along height) in [-1,1]",
         "output": "[N,k=3,C,g=4,g=4]", "grad_output": "upstream gradient, shape of output",
         "grad.input": "shape of input", "grad.loc": "[N,2] gradient through the sampling positions"},
        glimpse=g, scales=",".join(str(s) for s in scales), align_corners="false", padding_mode="zeros")


def glimpse_area_case():
    """The retina of pkg/ram.Sensor: area resampling on whole pixels.

    Scale k covers side = g*2^k pixels; its top-left corner is
    round_half_up(c - side/2) with c = (l+1)/2*n the centre in pixel units
    (-1 = outer edge of the first pixel, +1 = outer edge of the last); the
    crop is reduced to g x g by averaging 2^k x 2^k blocks, pixels outside
    the image counting as zeros (the divisor stays 4^k). Written here as
    zero padding + slicing + avg_pool2d so torch gives the gradient.
    """
    torch.manual_seed(51)
    N, C, H, W = 2, 2, 12, 10
    g, k = 3, 3
    img = leaf(randn(N, C, H, W))
    # (0,0) puts the scale-0 corner at exactly 3.5 on the width axis:
    # the half-up rounding is part of what is checked.
    locs = np.array([[0.0, 0.0], [-0.7, 0.55]], dtype=np.float32)
    pad = g << (k - 1)
    padded = F.pad(img, (pad, pad, pad, pad))
    outs = []
    for n in range(N):
        cx = (float(locs[n, 0]) + 1) / 2 * W
        cy = (float(locs[n, 1]) + 1) / 2 * H
        per = []
        for sc in range(k):
            f = 1 << sc
            side = g * f
            x0 = int(np.floor(cx - side / 2 + 0.5))
            y0 = int(np.floor(cy - side / 2 + 0.5))
            crop = padded[n, :, y0 + pad:y0 + pad + side, x0 + pad:x0 + pad + side]
            per.append(F.avg_pool2d(crop.unsqueeze(0), f).squeeze(0))
        outs.append(torch.stack(per))
    y = torch.stack(outs)  # [N,k,C,g,g]
    gy = randn(*y.shape)
    y.backward(gy)
    save("glimpse_area", {
        "input": img, "loc": torch.from_numpy(locs), "output": y, "grad_output": gy,
        "grad.input": img.grad,
    }, "pkg/ram.Sensor retina (Patch=3, Scales=3): scale k crops side = 3*2^k pixels with top-left corner "
       "floor(c - side/2 + 0.5), c = (l+1)/2*n, and averages 2^k x 2^k blocks (outside pixels are zeros, "
       "divisor 4^k); no interpolation, no gradient to loc",
        {"input": "image [N=2,C=2,H=12,W=10]", "loc": "[N,2] (lx along width, ly along height) in [-1,1]",
         "output": "[N,k=3,C,g=3,g=3] (per image the Sensor.Extract layout [Scales][C][Patch][Patch])",
         "grad_output": "upstream gradient, shape of output", "grad.input": "shape of input"},
        patch=g, scales=k, rounding="half up")


# ------------------------------------------------------------------ main

def write_readme_table():
    lines = ["| file | what | tensors |", "|---|---|---|"]
    for case, desc, names, hyper in CATALOGUE:
        t = ", ".join(f"`{n}`" for n in sorted(names))
        lines.append(f"| `{case}.safetensors` | {desc} | {t} |")
    return "\n".join(lines) + "\n"


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    conv2d_case("conv2d_s2p1", stride=2, padding=1, dilation=1, seed=1)
    conv2d_case("conv2d_d2p2", stride=1, padding=2, dilation=2, seed=2)
    batchnorm_cases()
    lstm_case()
    L = 6
    mha_case("mha_nomask", None, "none", 60)
    mha_case("mha_causal", torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1),
             "causal: key j visible to query i iff j <= i", 61)
    mha_case("mha_local", local_mask(L, 2, 2),
             "block-local (lq=2, lm=2): key j visible to query i iff j <= i and j >= (i//lq)*lq - lm", 62)
    cross_entropy_case("cross_entropy", [3, -100, 0, 6, 2], -100, 30)
    cross_entropy_case("cross_entropy_pad", [3, 0, 5, 6, 1], 0, 32)
    log_softmax_case()
    optim_cases()
    glimpse_case()
    glimpse_area_case()
    if "--table" in sys.argv:
        sys.stdout.write(write_readme_table())
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR))
    print(f"wrote {len(CATALOGUE)} files to {os.path.normpath(OUT_DIR)} ({total} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
