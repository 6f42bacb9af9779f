"""Denoise one PNG with scikit-image's non-local means, as a whole process.

Usage: skimage_denoise.py IN.png OUT.png SIGMA

denoise_nl_means(fast_mode=True, patch_size=7, patch_distance=10,
h=0.8*sigma, sigma=sigma) on the image in 0..1 (so h and sigma are
divided by 255), colour channels together (channel_axis=-1), as the
scikit-image documentation suggests for a known sigma. Prints the kernel
time in seconds on stdout. scikit-image runs on one thread.
"""
import sys
import time

import cv2
import numpy as np
from skimage.restoration import denoise_nl_means


def main():
    src, dst, sigma = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 255
    img = cv2.imread(src, cv2.IMREAD_UNCHANGED).astype(np.float64) / 255
    t0 = time.perf_counter()
    out = denoise_nl_means(img, patch_size=7, patch_distance=10, h=0.8 * sigma, sigma=sigma,
                           fast_mode=True, channel_axis=-1 if img.ndim == 3 else None)
    t1 = time.perf_counter()
    cv2.imwrite(dst, np.clip(np.round(out * 255), 0, 255).astype(np.uint8))
    print(f"{t1 - t0:.4f}")


if __name__ == "__main__":
    main()
