"""Write phone-size test JPEGs for bench/bigdenoise.sh.

Usage: make_photos.py OUTDIR [WIDTH HEIGHT]

For scikit-image's colour photographs astronaut, coffee and chelsea it
writes OUTDIR/NAME.jpg: the photograph cut to the aspect of WIDTH×HEIGHT
(default 4000×3000, 12 megapixels), enlarged with bicubic interpolation,
with Gaussian sensor-like noise of σ = 8 levels (seed fixed per picture)
and saved as a JPEG of quality 92, as a phone would. The content is
photographic, so decoding and the noise estimate see what they would on a
camera picture. Prints one line per picture: its path.
"""
import sys
import zlib

import cv2
import numpy as np
import skimage.data

NAMES = ["astronaut", "coffee", "chelsea"]


def main():
    out = sys.argv[1]
    w, h = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (4000, 3000)
    for name in NAMES:
        img = getattr(skimage.data, name)().astype(np.uint8)
        ih, iw = img.shape[:2]
        # The largest centred cut of the target aspect.
        cw, ch = min(iw, ih * w // h), min(ih, iw * h // w)
        x0, y0 = (iw - cw) // 2, (ih - ch) // 2
        img = cv2.resize(img[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_CUBIC)
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        noisy = img.astype(np.float32) + 8 * rng.standard_normal(img.shape, dtype=np.float32)
        noisy = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
        path = f"{out}/{name}.jpg"
        cv2.imwrite(path, noisy[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
        print(path)


if __name__ == "__main__":
    main()
