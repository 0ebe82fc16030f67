"""Python's side of bench/arrays_bench.ts: the same sample arrays through the
reference answer's json.dumps(arr.tolist()), and through np.save / np.load.

Run:  python3 bench/arrays_python.py
Prints one line per measurement: the mean of the fastest 5 of 10 runs, in ms.
"""

import io
import json
import time

import numpy as np


def sample(width, height):
    """The pattern of lib/image/sample.ts: black, red over the upper-left quarter."""
    arr = np.zeros((height, width, 3), dtype=np.uint8)
    arr[0 : height // 2, 0 : width // 2] = [255, 0, 0]
    return arr


def timed(fn, runs=10, best=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return sum(sorted(times)[:best]) / best


def npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def main():
    print(f"numpy {np.__version__}")
    for width, height in [(512, 512), (1920, 1080)]:
        label = f"{height}x{width}x3"
        arr = sample(width, height)
        nested = arr.tolist()
        text = json.dumps(nested, separators=(",", ":"))
        npy = npy_bytes(arr)
        print(f"{label}: compact JSON {len(text)} bytes, json.dumps default "
              f"{len(json.dumps(nested))} bytes, .npy {len(npy)} bytes")
        rows = [
            ("json.dumps(arr.tolist())", lambda: json.dumps(arr.tolist())),
            ("json.dumps(nested) only", lambda: json.dumps(nested)),
            ("np.asarray(json.loads(s), dtype=np.uint8)",
             lambda: np.asarray(json.loads(text), dtype=np.uint8)),
            ("np.save to BytesIO", lambda: npy_bytes(arr)),
            ("np.load from BytesIO", lambda: np.load(io.BytesIO(npy))),
        ]
        for name, fn in rows:
            print(f"  {name:45s} {timed(fn):9.2f} ms")


if __name__ == "__main__":
    main()
