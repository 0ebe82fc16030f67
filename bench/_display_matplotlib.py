"""matplotlib's time for the display benchmark (bench/display_load.ts): the same float32
depth map made into a PNG the way a matplotlib user does it, percentiles included.

    /usr/bin/python3 bench/_display_matplotlib.py DEPTH.npy ITERATIONS

Prints one JSON object: {"ms": [wall milliseconds of each iteration], "cpu_ms": [CPU
milliseconds of each], "bytes": PNG size}.
Needs Debian's python3-matplotlib (3.6) and python3-numpy.
"""

import io
import json
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    depth = np.load(sys.argv[1])
    times = []
    cpu = []
    size = 0
    for _ in range(int(sys.argv[2])):
        start = time.perf_counter()
        cpu_start = time.process_time()
        finite = depth[np.isfinite(depth)]
        vmin, vmax = np.nanpercentile(finite, 2), np.nanpercentile(finite, 98)
        buf = io.BytesIO()
        plt.imsave(buf, depth, cmap="viridis", vmin=vmin, vmax=vmax, format="png")
        size = len(buf.getvalue())
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    print(json.dumps({"ms": times, "cpu_ms": cpu, "bytes": size}))


if __name__ == "__main__":
    main()
