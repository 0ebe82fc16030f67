"""A NumPy client of pixserve, as the user story's readers write one.

Run by tests/numpy_client_test.ts against a live server:
    python3 tests/numpy_client.py http://127.0.0.1:PORT
Prints {"checks": [...]} naming every check that passed; exits non-zero on the first failure.
"""

import io
import json
import os
import sys
import tempfile

import numpy as np
import requests

URL = sys.argv[1]
CHECKS = []


def require(name, ok, detail=""):
    if not ok:
        print(f"FAILED: {name} {detail}", file=sys.stderr)
        sys.exit(1)


def check(name, ok, detail=""):
    require(name, ok, detail)
    CHECKS.append(name)


def create_img():
    """The reference answer's sample: 512 x 512 black, red upper-left quarter."""
    w, h = 512, 512
    arr = np.zeros((h, w, 3), dtype=np.uint8)
    arr[0:256, 0:256] = [255, 0, 0]
    return arr


def decode_npy(image_bytes, content_type, query=""):
    r = requests.post(URL + "/decode.npy" + query, data=image_bytes,
                      headers={"Content-Type": content_type})
    require(f"POST /decode.npy{query} answers 200", r.status_code == 200, r.text[:200])
    return np.load(io.BytesIO(r.content))


def main():
    expected = create_img()

    r = requests.get(URL + "/image.npy")
    arr = np.load(io.BytesIO(r.content))
    check("np.load(io.BytesIO(requests.get('/image.npy').content)) is the sample",
          r.headers["Content-Type"] == "application/x-npy" and arr.dtype == np.uint8
          and np.array_equal(arr, expected))

    r = requests.get(URL + "/image.json")
    arr = np.asarray(r.json(), dtype=np.uint8)
    check("np.asarray(requests.get('/image.json').json(), dtype=np.uint8) is the sample",
          np.array_equal(arr, expected))
    check("X-Array-Shape and X-Array-Dtype describe it",
          r.headers["X-Array-Shape"] == "512,512,3" and r.headers["X-Array-Dtype"] == "uint8")
    check("r.json() is already the list: no json.loads(r.json()) needed",
          isinstance(r.json(), list))

    with tempfile.TemporaryDirectory() as folder:
        url = URL + "/image"
        r = requests.get(url=url)
        with open(os.path.join(folder, "test.png"), "wb") as f:
            f.write(r.content)
        with open(os.path.join(folder, "test.png"), "rb") as f:
            png = f.read()
        check("the reference client's requests.get(url=url) writes a PNG to test.png",
              png.startswith(b"\x89PNG\r\n\x1a\n")
              and r.headers["Content-Type"] == "image/png"
              and r.headers["Content-Disposition"] == 'inline; filename="sample.png"')
        check("test.png decodes back to the sample", np.array_equal(decode_npy(png, "image/png"),
                                                                   expected))

    buf = io.BytesIO()
    np.savez(buf, expected)
    r = requests.post(URL + "/render.png", data=buf.getvalue(),
                      headers={"Content-Type": "application/octet-stream"})
    check("np.savez bytes sent as application/octet-stream render as a PNG",
          r.status_code == 200 and r.headers["Content-Type"] == "image/png", r.text[:200])
    check("... pixel for pixel", np.array_equal(decode_npy(r.content, "image/png"), expected))

    rng = np.random.default_rng(5)
    floats = rng.random((32, 48, 3), dtype=np.float32)
    buf = io.BytesIO()
    np.savez_compressed(buf, image=floats, other=np.zeros(3))
    r = requests.post(URL + "/render.png?key=image", data=buf.getvalue(),
                      headers={"Content-Type": "application/zip"})
    want = np.round(floats * np.float32(255)).astype(np.uint8)
    check("a float32 array from np.savez_compressed renders as np.round(a * 255)",
          np.array_equal(decode_npy(r.content, "image/png"), want), r.text[:200])

    bgr = np.ascontiguousarray(expected[:, :, ::-1])
    buf = io.BytesIO()
    np.save(buf, bgr)
    r = requests.post(URL + "/render.png?order=bgr", data=buf.getvalue(),
                      headers={"Content-Type": "application/x-npy"})
    check("an OpenCV BGR array with ?order=bgr renders red as red",
          np.array_equal(decode_npy(r.content, "image/png"), expected))
    check("/decode.npy?order=bgr gives OpenCV's order back",
          np.array_equal(decode_npy(r.content, "image/png", "?order=bgr"), bgr))

    noise = rng.integers(0, 256, (20, 30, 4), dtype=np.uint8)
    r = requests.post(URL + "/render.png", json=noise.tolist())
    check("requests.post(json=arr.tolist()) renders an RGBA array exactly",
          np.array_equal(decode_npy(r.content, "image/png"), noise))

    bad = np.zeros((4, 4, 3), dtype=np.float64)
    bad[2, 1, 0] = 1.5
    buf = io.BytesIO()
    np.save(buf, bad)
    r = requests.post(URL + "/render.png", data=buf.getvalue(),
                      headers={"Content-Type": "application/x-npy"})
    check("a float outside [0, 1] is a 422 naming [2][1][0]",
          r.status_code == 422 and r.json()["error"] == "invalid_value"
          and r.json()["detail"].startswith("[2][1][0] is 1.5;"), r.text)

    print(json.dumps({"checks": CHECKS}))


if __name__ == "__main__":
    main()
