"""Print the PSNR in dB of an 8-bit PNG against a clean one.

Usage: psnr.py CLEAN.png DENOISED.png
"""
import sys

import cv2
import numpy as np


def main():
    a = cv2.imread(sys.argv[1], cv2.IMREAD_UNCHANGED).astype(np.float64)
    b = cv2.imread(sys.argv[2], cv2.IMREAD_UNCHANGED).astype(np.float64)
    if a.shape != b.shape:
        sys.exit(f"psnr: shapes differ: {a.shape} and {b.shape}")
    mse = np.mean((a - b) ** 2)
    print(f"{10 * np.log10(255 ** 2 / mse):.2f}")


if __name__ == "__main__":
    main()
