"""The Python side of bench/deep_vs_python.ts: times one encode, `repeat` times.

Usage: python3 _deep_python.py png16|gif ARRAY.npy REPEAT
Prints JSON {"ms": [...], "bytes": N}.
  png16: cv2.imencode('.png', arr) at OpenCV's default settings (Debian's python3-opencv)
  gif:   Pillow Image.save(save_all=True, duration=100, loop=0) of the frames (python3-pil)
"""
import io
import json
import sys
import time

import numpy as np

mode, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
arr = np.load(path)

if mode == "png16":
    import cv2

    def run():
        ok, buf = cv2.imencode(".png", arr)
        return len(buf)
else:
    from PIL import Image

    def run():
        frames = [Image.fromarray(f) for f in arr]
        out = io.BytesIO()
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
        return out.tell()

size = run()
times = []
for _ in range(repeat):
    start = time.perf_counter()
    run()
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"ms": times, "bytes": size}))
