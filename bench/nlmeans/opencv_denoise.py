"""Denoise one PNG with OpenCV's non-local means, timed as a whole process.

Usage: opencv_denoise.py IN.png OUT.png SIGMA [THREADS]

Calls cv2.fastNlMeansDenoising (grey) or cv2.fastNlMeansDenoisingColored
(colour, h and hColor both SIGMA) with templateWindowSize=7 and
searchWindowSize=21, reading and writing PNG. THREADS (default 1) goes to
cv2.setNumThreads. Prints the kernel time in seconds on stdout.
"""
import sys
import time

import cv2


def main():
    src, dst, sigma = sys.argv[1], sys.argv[2], float(sys.argv[3])
    cv2.setNumThreads(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    img = cv2.imread(src, cv2.IMREAD_UNCHANGED)
    t0 = time.perf_counter()
    if img.ndim == 2:
        out = cv2.fastNlMeansDenoising(img, None, sigma, 7, 21)
    else:
        out = cv2.fastNlMeansDenoisingColored(img, None, sigma, sigma, 7, 21)
    t1 = time.perf_counter()
    cv2.imwrite(dst, out)
    print(f"{t1 - t0:.4f}")


if __name__ == "__main__":
    main()
