import assert from "node:assert/strict";
import { encodeNpy, parseNpy } from "../lib/arrays/npy.ts";
import { numberData, type PixelArray } from "../lib/arrays/types.ts";
import { assertError, post } from "./_arrays.ts";
import { runPython } from "./_python.ts";
import { withServer } from "./_server.ts";
import { withMedia } from "./_media.ts";

const NPY = "application/x-npy";

/** A uint16 array of a shape whose values cover the whole range, high and low bytes apart. */
function uint16Array(shape: number[]): PixelArray {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Uint16Array(count);
  for (let i = 0; i < count; i++) data[i] = (i * 40503 + 7) % 65536;
  return { shape, dtype: "uint16", data };
}

async function postOk(url: string, body: Uint8Array<ArrayBuffer>, type: string | null) {
  const res = await post(url, body, type);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(bytes));
  return { res, bytes };
}

/** What OpenCV reads from a PNG with IMREAD_UNCHANGED: dtype, shape, values (C order). */
async function cv2Read(png: Uint8Array) {
  return await runPython(
    `import cv2, json
a = cv2.imread("a.png", cv2.IMREAD_UNCHANGED)
print(json.dumps({"dtype": str(a.dtype), "shape": list(a.shape), "values": a.ravel().tolist()}))`,
    { "a.png": png },
  ) as { dtype: string; shape: number[]; values: number[] };
}

/**
 * The array's values as OpenCV reads them back: the first and third channel swapped, and
 * gray with alpha as BGRA (OpenCV has no two-channel image).
 */
function bgrValues(array: PixelArray): number[] {
  const c = array.shape[2] ?? 1;
  const values = [...numberData(array)];
  if (c === 2) return values.flatMap((v, i) => i % 2 === 0 ? [v, v, v] : [v]);
  if (c < 3) return values;
  for (let i = 0; i < values.length; i += c) {
    [values[i], values[i + 2]] = [values[i + 2], values[i]];
  }
  return values;
}

for (const shape of [[5, 7], [5, 7, 2], [5, 7, 3], [5, 7, 4]]) {
  Deno.test(
    `uint16 ${shape.join("×")} → /render.png is a 16-bit PNG that cv2 and /decode.npy read exactly`,
    async () => {
      const array = uint16Array(shape);
      await withServer(async ({ base }) => {
        const { res, bytes: png } = await postOk(`${base}/render.png`, encodeNpy(array), NPY);
        assert.equal(res.headers.get("content-type"), "image/png");
        assert.equal(png[24], 16, "IHDR bit depth");
        assert.equal(png[25], { 1: 0, 2: 4, 3: 2, 4: 6 }[shape[2] ?? 1], "IHDR colour type");
        const cv = await cv2Read(png);
        assert.equal(cv.dtype, "uint16");
        assert.deepEqual(cv.shape, shape[2] === 2 ? [5, 7, 4] : shape);
        assert.deepEqual(cv.values, bgrValues(array));
        const { res: decoded, bytes } = await postOk(`${base}/decode.npy`, png, "image/png");
        assert.equal(decoded.headers.get("x-array-dtype"), "uint16");
        assert.equal(decoded.headers.get("x-array-shape"), shape.join(","));
        const back = parseNpy(bytes);
        assert.equal(back.dtype, "uint16");
        assert.deepEqual(back.shape, shape);
        assert.deepEqual([...back.data], [...array.data]);
      });
    },
  );
}

Deno.test("POST /render.png?order=bgr of uint16 BGR is the same 16-bit PNG as its RGB", async () => {
  const rgb = uint16Array([3, 4, 3]);
  const bgr = { ...rgb, data: Uint16Array.from(bgrValues(rgb)) };
  await withServer(async ({ base }) => {
    const { bytes: a } = await postOk(`${base}/render.png`, encodeNpy(rgb), NPY);
    const { bytes: b } = await postOk(`${base}/render.png?order=bgr`, encodeNpy(bgr), NPY);
    assert.deepEqual(b, a);
    const { bytes } = await postOk(`${base}/decode.npy?order=bgr`, a, "image/png");
    assert.deepEqual([...parseNpy(bytes).data], [...bgr.data]);
  });
});

Deno.test("POST /render.png?bits=8 of uint16 writes today's 8-bit image, v/257", async () => {
  const array: PixelArray = {
    shape: [1, 4],
    dtype: "uint16",
    data: new Uint16Array([128, 129, 257 * 100, 65535]),
  };
  await withServer(async ({ base }) => {
    const { bytes: png } = await postOk(`${base}/render.png?bits=8`, encodeNpy(array), NPY);
    assert.equal(png[24], 8);
    const cv = await cv2Read(png);
    assert.equal(cv.dtype, "uint8");
    assert.deepEqual(cv.values, [0, 1, 100, 255]);
  });
});

Deno.test("POST /render.png?bits=16 widens uint8 (v·257) and floats (v·65535)", async () => {
  const u8: PixelArray = { shape: [1, 2], dtype: "uint8", data: new Uint8Array([1, 255]) };
  const f32: PixelArray = { shape: [1, 2], dtype: "float32", data: new Float32Array([0.5, 1]) };
  await withServer(async ({ base }) => {
    const a = await postOk(`${base}/render.png?bits=16`, encodeNpy(u8), NPY);
    assert.deepEqual((await cv2Read(a.bytes)).values, [257, 65535]);
    const b = await postOk(`${base}/render.png?bits=16`, encodeNpy(f32), NPY);
    assert.deepEqual((await cv2Read(b.bytes)).values, [32768, 65535]);
  });
});

Deno.test("POST /render.jpg?bits=16 is a 422 naming the format", async () => {
  await withServer(async ({ base }) => {
    await assertError(
      await post(`${base}/render.jpg?bits=16`, encodeNpy(uint16Array([2, 2])), NPY),
      422,
      "unsupported_bit_depth",
      "jpeg holds 8 bits per channel; ask for png with ?bits=16, or drop ?bits",
    );
    await assertError(
      await post(`${base}/render.png?bits=12`, encodeNpy(uint16Array([2, 2])), NPY),
      400,
      "invalid_parameter",
      'bits must be one of 8, 16, got "12"',
    );
  });
});

Deno.test("uint16 → /render.gif stays an 8-bit image (v/257)", async () => {
  const array: PixelArray = { shape: [8, 8], dtype: "uint16", data: new Uint16Array(64) };
  numberData(array).fill(257 * 200);
  await withServer(async ({ base }) => {
    const { bytes } = await postOk(`${base}/render.gif`, encodeNpy(array), NPY);
    const { bytes: npy } = await postOk(`${base}/decode.npy`, bytes, "image/gif");
    const back = parseNpy(npy);
    assert.equal(back.dtype, "uint8");
    assert.deepEqual(new Set(numberData(back)), new Set([200]));
  });
});

Deno.test("POST /decode.npy reads a 16-bit PNG written by cv2.imwrite as uint16", async () => {
  const png = await runPython(
    `import cv2, json, numpy as np, base64
a = (np.arange(120 * 160, dtype=np.uint32) * 37 % 65536).astype(np.uint16).reshape(120, 160)
ok, buf = cv2.imencode(".png", a)
print(json.dumps(base64.b64encode(buf.tobytes()).decode()))`,
    {},
  ) as string;
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  await withServer(async ({ base }) => {
    const { bytes: npy } = await postOk(`${base}/decode.npy`, bytes, "image/png");
    const back = parseNpy(npy);
    assert.equal(back.dtype, "uint16");
    assert.deepEqual(back.shape, [120, 160]);
    for (let i = 0; i < back.data.length; i++) assert.equal(back.data[i], (i * 37) % 65536);
    const { bytes: u8 } = await postOk(`${base}/decode.npy?dtype=uint8`, bytes, "image/png");
    const eight = parseNpy(u8);
    assert.equal(eight.dtype, "uint8");
    assert.equal(eight.data[1000], Math.round(((1000 * 37) % 65536) / 257));
    const { bytes: rgb } = await postOk(`${base}/decode.npy?mode=rgb`, bytes, "image/png");
    const colour = parseNpy(rgb);
    assert.deepEqual(colour.shape, [120, 160, 3]);
    assert.equal(colour.dtype, "uint16");
    assert.deepEqual([...colour.data.subarray(30, 33)], [370, 370, 370]);
  });
});

Deno.test("POST /decode.npy gives gray as (H, W) and gray+alpha as (H, W, 2)", async () => {
  const gray: PixelArray = {
    shape: [2, 3],
    dtype: "uint8",
    data: new Uint8Array([1, 2, 3, 4, 5, 6]),
  };
  const ga: PixelArray = { shape: [1, 2, 2], dtype: "uint8", data: new Uint8Array([9, 0, 8, 255]) };
  await withServer(async ({ base }) => {
    for (const array of [gray, ga]) {
      const { bytes: png } = await postOk(`${base}/render.png`, encodeNpy(array), NPY);
      const { res, bytes } = await postOk(`${base}/decode.npy`, png, "image/png");
      assert.equal(res.headers.get("x-array-shape"), array.shape.join(","));
      assert.deepEqual([...parseNpy(bytes).data], [...array.data]);
    }
  });
});

/** A 16-bit PNG and TIFF written by OpenCV: gray 6×5 and BGR 4×3. */
async function cv2Files(): Promise<Record<string, Uint8Array>> {
  const files = await runPython(
    `import cv2, json, numpy as np, base64
gray = (np.arange(30, dtype=np.uint32) * 2111 % 65536).astype(np.uint16).reshape(5, 6)
bgr = (np.arange(36, dtype=np.uint32) * 1777 % 65536).astype(np.uint16).reshape(3, 4, 3)
out = {}
for name, a in [("gray.png", gray), ("gray.tiff", gray), ("bgr.png", bgr), ("bgr.tiff", bgr)]:
    ok, buf = cv2.imencode("." + name.split(".")[1], a)
    out[name] = base64.b64encode(buf.tobytes()).decode()
print(json.dumps(out))`,
    {},
  ) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, Uint8Array.from(atob(v), (c) => c.charCodeAt(0))]),
  );
}

Deno.test("16-bit PNG and TIFF from cv2.imwrite decode to uint16 and serve as 16-bit /images/*.png", async () => {
  const files = await cv2Files();
  const gray = Array.from({ length: 30 }, (_, i) => (i * 2111) % 65536);
  const bgr = Array.from({ length: 36 }, (_, i) => (i * 1777) % 65536);
  const rgb = bgr.map((_, i) => bgr[i - (i % 3) + 2 - (i % 3)]);
  await withMedia(files, async ({ base }) => {
    for (
      const [name, shape, values] of [
        ["gray.png", [5, 6], gray],
        ["gray.tiff", [5, 6], gray],
        ["bgr.png", [3, 4, 3], rgb],
        ["bgr.tiff", [3, 4, 3], rgb],
      ] as const
    ) {
      const body = new Uint8Array(files[name]);
      const { bytes } = await postOk(`${base}/decode.npy`, body, "application/octet-stream");
      const array = parseNpy(bytes);
      assert.equal(array.dtype, "uint16", name);
      assert.deepEqual(array.shape, shape, name);
      assert.deepEqual([...array.data], values, name);
    }
    for (const stem of ["gray", "bgr"]) {
      const res = await fetch(`${base}/images/${stem}.png`);
      const png = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(png[24], 16, stem);
      const cv = await cv2Read(png);
      assert.equal(cv.dtype, "uint16");
      assert.deepEqual(cv.values, stem === "gray" ? gray : bgr);
    }
  });
});
