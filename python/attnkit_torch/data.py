"""Datasets exported by the Go tools, read with numpy.

`glimpse render --format npz`, `lpa render --format npz` and `nonlocal
render --format npz` write one split of a task (or of CIFAR, or of an
image folder, decoded and resized by Go) into a NumPy archive:

    images  [N, C, S, S] float32 in [0, 1] ([N, C, T, S, S] for clips)
    labels  [N] int64
    meta    a JSON string: format "attnkit.dataset/1", tool, split, seeds,
            and what a model of the data needs (task, canvas or side,
            frames, classes, class names)

`caption render --format npz` writes captioned scenes: images, no labels,
and every reference caption as token ids (load_captions).

The Go side renders; Python only reads. That keeps one generator of the
built-in tasks, so the twins train and are scored on exactly the pixels
the Go tools use. The archive's members are stored uncompressed, so
load_npz maps the images into memory instead of reading them: every
process of a torchrun job on one machine shares the same pages.
"""

import json
import zipfile

import numpy as np

FORMAT = "attnkit.dataset/1"


class Split:
    """One exported split: images (a read-only memory map, or an array),
    labels (int64 array) and meta (dict)."""

    def __init__(self, path, images, labels, meta):
        self.path, self.images, self.labels, self.meta = path, images, labels, meta

    def __len__(self):
        return len(self.labels)

    def batch(self, indices):
        """Images [B, C, S, S] or clips [B, C, T, S, S] (a float32 copy)
        and labels [B] of the given indices, read in ascending file order
        and returned in the order asked."""
        idx = np.asarray(indices)
        order = np.argsort(idx, kind="stable")
        rows = np.empty((len(idx),) + self.images.shape[1:], dtype=np.float32)
        rows[order] = self.images[idx[order]]
        return rows, self.labels[idx]


def _member_array(f, info, mmap):
    """The array of a stored .npy member, memory-mapped when asked."""
    f.seek(info.header_offset)
    local = f.read(30)
    if local[:4] != b"PK\x03\x04":
        raise ValueError(f"{info.filename}: bad local header")
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    f.seek(info.header_offset + 30 + name_len + extra_len)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    if fortran:
        raise ValueError(f"{info.filename}: Fortran order not supported")
    offset = f.tell()
    if mmap:
        return np.memmap(f.name, dtype=dtype, mode="r", offset=offset, shape=shape)
    count = int(np.prod(shape)) if shape else 1
    return np.fromfile(f, dtype=dtype, count=count).reshape(shape)


def load_npz(path, mmap=True, want_tool=None):
    """Read an exported split. With mmap the images stay on disk and are
    paged in as batches touch them. want_tool ("glimpse", "lpa" or
    "nonlocal") checks which tool wrote the file."""
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
        for need in ("images.npy", "labels.npy", "meta.npy"):
            if need not in infos:
                raise ValueError(f"{path}: no {need[:-4]!r} array; not an exported split")
        stored = infos["images.npy"].compress_type == zipfile.ZIP_STORED
    with np.load(path) as z:
        meta = json.loads(str(z["meta"]))
        labels = np.asarray(z["labels"], dtype=np.int64)
        images = None if stored else np.asarray(z["images"], dtype=np.float32)
    if images is None:
        with open(path, "rb") as f:
            images = _member_array(f, infos["images.npy"], mmap)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format {meta.get('format')!r}, want {FORMAT!r}")
    if want_tool and meta.get("tool") != want_tool:
        raise ValueError(f"{path}: exported by {meta.get('tool')!r}, want {want_tool!r}")
    want_dims = 5 if meta.get("frames") else 4  # clips carry a time axis
    if images.dtype != np.float32 or images.ndim != want_dims or len(images) != len(labels):
        raise ValueError(f"{path}: images {images.dtype} {images.shape}, labels {labels.shape}")
    return Split(path, images, labels, meta)


class CaptionSplit:
    """An exported split of captioned images: images [N, 3, S, S] (a
    read-only memory map, or an array), captions [M, T] int64 (<start> ...
    <end>, then <pad> = 0), lengths [M], caption_image [M] (the image each
    caption describes, in image order) and meta (its "vocab" lists the
    words by id)."""

    def __init__(self, path, images, captions, lengths, caption_image, meta):
        self.path, self.images, self.meta = path, images, meta
        self.captions, self.lengths, self.caption_image = captions, lengths, caption_image
        # Each image's captions are one run of rows, in order.
        self.first = np.searchsorted(caption_image, np.arange(len(images) + 1))

    def __len__(self):
        return len(self.images)

    def refs(self, i):
        """The captions of image i as lists of ids."""
        return [self.captions[k, :self.lengths[k]].tolist() for k in range(self.first[i], self.first[i + 1])]

    def batch(self, indices):
        """Images [B, 3, S, S] (a float32 copy), and for every caption of
        those images in the order asked: its image's row in the batch and
        its ids (a list, <start> ... <end>)."""
        idx = np.asarray(indices)
        order = np.argsort(idx, kind="stable")
        rows = np.empty((len(idx),) + self.images.shape[1:], dtype=np.float32)
        rows[order] = self.images[idx[order]]
        owner, caps = [], []
        for r, i in enumerate(idx):
            for c in self.refs(i):
                owner.append(r)
                caps.append(c)
        return rows, owner, caps


def load_captions(path, mmap=True):
    """Read a split that `caption render --format npz` exported."""
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
        for need in ("images.npy", "captions.npy", "lengths.npy", "caption_image.npy", "meta.npy"):
            if need not in infos:
                raise ValueError(f"{path}: no {need[:-4]!r} array; not an exported caption split")
    with np.load(path) as z:
        meta = json.loads(str(z["meta"]))
        captions = np.asarray(z["captions"], dtype=np.int64)
        lengths = np.asarray(z["lengths"], dtype=np.int64)
        owner = np.asarray(z["caption_image"], dtype=np.int64)
    with open(path, "rb") as f:
        images = _member_array(f, infos["images.npy"], mmap)
    if meta.get("format") != FORMAT or meta.get("tool") != "caption":
        raise ValueError(f"{path}: format {meta.get('format')!r} from {meta.get('tool')!r}, "
                         f"want {FORMAT!r} from 'caption'")
    if images.dtype != np.float32 or images.ndim != 4 or captions.ndim != 2 or \
            not len(captions) == len(lengths) == len(owner) or np.any(np.diff(owner) < 0):
        raise ValueError(f"{path}: images {images.dtype} {images.shape}, captions {captions.shape}, "
                         f"lengths {lengths.shape}, caption_image {owner.shape}")
    return CaptionSplit(path, images, captions, lengths, owner, meta)
