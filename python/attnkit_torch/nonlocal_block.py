"""PyTorch twin of pkg/nonlocal.Block, the non-local block of Wang et al.
(CVPR 2018).

The twin builds the same block from the same configuration (the JSON of
pkg/nonlocal.BlockConfig), with the same parameter names, so weights move
both ways through safetensors files. It computes the concatenation form as
the paper writes it, by materialising [theta_i, phi_j] for every pair and
applying w_f, where Go splits w_f; so comparing the two also checks that
decomposition. (The module is nonlocal_block, not nonlocal, which is a
Python keyword.)
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class NonLocalBlock(nn.Module):
    """z = BN(W_z y) + x, y_i = (1/C(x)) sum_j f(x_i, x_j) g(x_j)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        c = cfg["channels"]
        d = cfg.get("inner") or c // 2
        self.cfg["inner"] = d
        conv = nn.Conv2d if cfg["dims"] == 2 else nn.Conv3d
        if cfg["pairwise"] != "gaussian":
            self.theta = conv(c, d, 1)
            self.phi = conv(c, d, 1)
        self.g = conv(c, d, 1)
        if cfg["pairwise"] == "concat":
            self.concat_project = nn.Linear(2 * d, 1, bias=False)
        self.w = conv(d, c, 1)
        self.bn = (nn.BatchNorm2d if cfg["dims"] == 2 else nn.BatchNorm3d)(c)
        nn.init.zeros_(self.bn.weight)  # a new block is the identity

    def pool(self, v):
        if not self.cfg["subsample"]:
            return v
        if self.cfg["dims"] == 3:
            return F.max_pool3d(v, (1, 2, 2), (1, 2, 2))
        return F.max_pool2d(v, 2, 2)

    def forward(self, x):
        """Return z and the weights f/C [N, P, K]."""
        cfg = self.cfg
        n, c, d = x.shape[0], cfg["channels"], cfg["inner"]
        p = x[0, 0].numel()
        if cfg["pairwise"] == "gaussian":
            q = x.reshape(n, c, p)
            k = self.pool(x).reshape(n, c, -1)
        else:
            q = self.theta(x).reshape(n, d, p)
            k = self.pool(self.phi(x)).reshape(n, d, -1)
        v = self.pool(self.g(x)).reshape(n, d, -1)
        nk = k.shape[2]
        if cfg["pairwise"] == "concat":
            qi = q.transpose(1, 2).unsqueeze(2).expand(n, p, nk, d)
            kj = k.transpose(1, 2).unsqueeze(1).expand(n, p, nk, d)
            f = F.relu(self.concat_project(torch.cat([qi, kj], dim=3)).squeeze(3))
            att = f / nk
        else:
            s = torch.bmm(q.transpose(1, 2), k)
            if cfg["scale"]:
                s = s / math.sqrt(q.shape[1])
            att = s / nk if cfg["pairwise"] == "dot" else F.softmax(s, dim=2)
        # contiguous: a channels-last y would give W_z a gradient of strides
        # DDP's buckets do not have (a warning and a copy every step).
        y = torch.bmm(att, v.transpose(1, 2)).transpose(1, 2).contiguous().reshape(n, d, *x.shape[2:])
        return self.bn(self.w(y)) + x, att
