"""The safetensors files of attnkit, read and written with numpy.

torch 1.13 (Debian's python3-torch) comes without the safetensors package,
so the twins carry this small codec. The layout is the one pkg/ckpt reads
and writes: an 8-byte little-endian header length, a JSON header
{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {str: str}}
padded with spaces to a multiple of 8, then the raw little-endian data of
every tensor, contiguous, in sorted-name order from offset 0. Only the
dtypes the toolkit uses are handled: F32 and I64 (and U8 and BOOL on
reading).
"""

import json
import struct

import numpy as np
import torch

_WRITE = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}
_READ = {"F32": np.float32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}


def write_safetensors(path, tensors, metadata):
    """Write tensors (name -> torch tensor or numpy array, float32 or
    int64) with string metadata to path.

    A 0-d tensor keeps its empty shape (batch norm's num_batches_tracked
    is a scalar in torch and in pkg/nn). Float64 is refused rather than
    narrowed, so a stray double never passes for a float32 result.
    """
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        if a.dtype not in _WRITE:
            raise ValueError(f"{name}: unsupported dtype {a.dtype}")
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes(order="C")
        header[name] = {"dtype": _WRITE[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
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


def read_safetensors(path):
    """Return (tensors, metadata) of a safetensors file: name -> torch
    tensor (a copy, in native byte order), and the string metadata."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    out = {}
    for name, h in header.items():
        if h["dtype"] not in _READ:
            raise ValueError(f"{path}: tensor {name!r}: dtype {h['dtype']} not supported")
        kind = _READ[h["dtype"]]
        lo, hi = h["data_offsets"]
        a = np.frombuffer(data[lo:hi], dtype=np.dtype(kind).newbyteorder("<"))
        out[name] = torch.from_numpy(a.astype(kind).reshape(h["shape"]))
    return out, meta
