"""PIL's encode time per format on the pixserve sample pattern, for bench/encode_vs_pil.ts.

Prints one JSON object: {"<image> <format>": [milliseconds, bytes], ...}.
Run with Debian's python3 (apt-get install -y python3-pil python3-numpy).
"""

import io
import json
import sys
import time

import numpy as np
from PIL import Image


def sample(w, h):
    a = np.zeros((h, w, 3), dtype=np.uint8)
    a[0 : h // 2, 0 : w // 2] = [255, 0, 0]
    return a


def gradient(w, h):
    y, x = np.mgrid[0:h, 0:w]
    r = x * 255 // (w - 1)
    g = y * 255 // (h - 1)
    b = (x + y) * 255 // (w + h - 2)
    return np.stack([r, g, b], -1).astype(np.uint8)


def encode(im, fmt, kw):
    with io.BytesIO() as buf:
        im.save(buf, format=fmt, **kw)
        return buf.getvalue()


FORMATS = {
    "png": ("PNG", {}),
    "jpeg q90": ("JPEG", {"quality": 90}),
    "webp q80": ("WEBP", {"quality": 80}),
    "webp lossless": ("WEBP", {"lossless": True}),
    "gif": ("GIF", {}),
}

repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 10
out = {}
for name, arr in [
    ("sample 512x512", sample(512, 512)),
    ("sample 1920x1080", sample(1920, 1080)),
    ("gradient 1920x1080", gradient(1920, 1080)),
]:
    im = Image.fromarray(arr)
    for key, (fmt, kw) in FORMATS.items():
        data = encode(im, fmt, kw)
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            encode(im, fmt, kw)
            best = min(best, time.perf_counter() - start)
        out[f"{name} {key}"] = [best * 1000, len(data)]
print(json.dumps(out))
