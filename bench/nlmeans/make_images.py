"""Write the non-local means test pictures into a folder.

Usage: make_images.py OUTDIR [SIGMA ...]

For every photograph of scikit-image's data that loads offline (grey:
camera, moon, coins; colour: astronaut, coffee, chelsea) it writes
OUTDIR/NAME.png (clean) and OUTDIR/NAME_sSIGMA.png (clean plus Gaussian
noise of standard deviation SIGMA on the 8-bit scale, rounded and clipped
to 0..255, seed fixed per picture and sigma). Prints one line per noisy
picture: name, sigma, channels, path.
"""
import sys
import zlib

import cv2
import numpy as np
import skimage.data

GREY = ["camera", "moon", "coins"]
COLOUR = ["astronaut", "coffee", "chelsea"]


def main():
    out = sys.argv[1]
    sigmas = [int(s) for s in sys.argv[2:]] or [10, 20, 30]
    for name in GREY + COLOUR:
        try:
            img = getattr(skimage.data, name)()
        except Exception as e:  # a picture that needs a download
            print(f"skip {name}: {e}", file=sys.stderr)
            continue
        img = np.ascontiguousarray(img.astype(np.uint8))
        colour = img.ndim == 3
        # OpenCV writes BGR; keep the files in the usual RGB order.
        write = (lambda p, a: cv2.imwrite(p, a[:, :, ::-1])) if colour else cv2.imwrite
        write(f"{out}/{name}.png", img)
        for s in sigmas:
            rng = np.random.default_rng(zlib.crc32(f"{name}/{s}".encode()))
            noisy = img.astype(np.float64) + s * rng.standard_normal(img.shape)
            noisy = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
            path = f"{out}/{name}_s{s}.png"
            write(path, noisy)
            print(name, s, 3 if colour else 1, path)


if __name__ == "__main__":
    main()
