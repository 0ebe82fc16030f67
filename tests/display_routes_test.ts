import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { zipSync } from "fflate";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { labelColor } from "../lib/arrays/display.ts";
import { COLORMAP_NAMES } from "../lib/arrays/colormaps.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { RENDER_PARAMS } from "../lib/routes/arrays.ts";
import { assertError, post } from "./_arrays.ts";
import { decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

const NPY = "application/x-npy";

function npy(array: PixelArray): Uint8Array<ArrayBuffer> {
  return encodeNpy(array);
}

/** The chunks of a PNG file by name, in order. */
function pngChunks(bytes: Uint8Array): [string, Uint8Array][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: [string, Uint8Array][] = [];
  for (let o = 8; o < bytes.length;) {
    const length = view.getUint32(o);
    const name = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    chunks.push([name, bytes.subarray(o + 8, o + 8 + length)]);
    o += 12 + length;
  }
  return chunks;
}

const MASK: PixelArray = {
  shape: [2, 3],
  dtype: "int64",
  data: new BigInt64Array([0n, 3n, 3n, 20n, 0n, 1n]),
};

Deno.test("POST /render.png?cmap=labels answers an indexed PNG with tRNS, label 0 transparent", async () => {
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png?cmap=labels`, npy(MASK), NPY);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    const chunks = pngChunks(bytes);
    assert.deepEqual(chunks.map(([name]) => name), ["IHDR", "PLTE", "tRNS", "IDAT", "IEND"]);
    assert.deepEqual([...chunks[0][1].subarray(8)], [8, 3, 0, 0, 0]);
    assert.deepEqual([...chunks[1][1]], [
      0,
      0,
      0,
      ...labelColor(3),
      ...labelColor(20),
      ...labelColor(1),
    ]);
    assert.deepEqual([...chunks[2][1]], [0]);
    // Indices [0, 1, 1] and [2, 0, 3], each row filtered Sub (1).
    assert.deepEqual([...inflateSync(chunks[3][1])], [1, 0, 1, 0, 1, 2, 254, 3]);
    const pixels = await decodePixels(bytes);
    assert.deepEqual([...pixels.rgba], [
      ...[0, 0, 0, 0],
      ...[...labelColor(3), 255],
      ...[...labelColor(3), 255],
      ...[...labelColor(20), 255],
      ...[0, 0, 0, 0],
      ...[...labelColor(1), 255],
    ]);
  });
});

Deno.test("POST /render.png?cmap=labels&background=%23ffffff paints label 0 white, opaque", async () => {
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png?cmap=labels&background=%23ffffff`, npy(MASK), NPY);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200);
    const chunks = pngChunks(bytes);
    assert.deepEqual(chunks.map(([name]) => name), ["IHDR", "PLTE", "IDAT", "IEND"]);
    assert.deepEqual([...chunks[1][1].subarray(0, 3)], [255, 255, 255]);
  });
});

Deno.test("POST /render.jpg?cmap=labels writes the palette's colours as RGB", async () => {
  const mask: PixelArray = { shape: [16, 16], dtype: "uint8", data: new Uint8Array(256).fill(1) };
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.webp?cmap=labels&quality=100`, npy(mask), NPY);
    assert.equal(res.status, 200);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    const [r, g, b] = labelColor(1);
    assert.ok(Math.abs(pixels.rgba[0] - r) <= 3 && Math.abs(pixels.rgba[1] - g) <= 3);
    assert.ok(Math.abs(pixels.rgba[2] - b) <= 3, String([...pixels.rgba.subarray(0, 4)]));
  });
});

Deno.test("POST /render.png?vmin=&vmax= rescales an RGB float array, BGR order kept", async () => {
  const rgb: PixelArray = {
    shape: [1, 2, 3],
    dtype: "float32",
    data: new Float32Array([0, 5, 10, 10, 2.5, -1]),
  };
  await withServer(async ({ base }) => {
    for (
      const [query, expected] of [
        ["vmin=0&vmax=10", [0, 128, 255, 255, 255, 64, 0, 255]],
        ["vmin=0&vmax=10&order=bgr", [255, 128, 0, 255, 0, 64, 255, 255]],
        // vmin is the finite minimum, -1: 255 * 3.5 / 21 = 42.5 rounds to even.
        ["vmax=20", [12, 73, 134, 255, 134, 42, 0, 255]],
      ] as const
    ) {
      const res = await post(`${base}/render.png?${query}`, npy(rgb), NPY);
      assert.equal(res.status, 200, query);
      const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
      assert.deepEqual([...pixels.rgba], expected, query);
    }
  });
});

Deno.test("POST /render.png keeps the default mappings when no display parameter is given", async () => {
  const u16: PixelArray = { shape: [1, 2], dtype: "uint16", data: new Uint16Array([257, 65535]) };
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png`, npy(u16), NPY);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([...pixels.rgba], [1, 1, 1, 255, 255, 255, 255, 255]);
  });
});

const DEPTH: PixelArray = {
  shape: [2, 2],
  dtype: "float32",
  data: new Float32Array([0, 1, 2, 3]),
};

for (
  const [label, query, array, status, error, detail] of [
    [
      "an unknown colormap",
      "?cmap=virdis",
      DEPTH,
      400,
      "invalid_parameter",
      `cmap "virdis" is not a colormap; use one of labels, ${COLORMAP_NAMES.join(", ")}`,
    ],
    [
      "a malformed limit",
      "?cmap=viridis&vmin=p200",
      DEPTH,
      400,
      "invalid_parameter",
      'vmin must be a finite number or pN for a percentile from p0 to p100, got "p200"',
    ],
    [
      "an infinite limit",
      "?cmap=viridis&vmax=inf",
      DEPTH,
      400,
      "invalid_parameter",
      'vmax must be a finite number or pN for a percentile from p0 to p100, got "inf"',
    ],
    [
      "clip with a display mapping",
      "?cmap=viridis&clip",
      DEPTH,
      400,
      "invalid_parameter",
      "clip applies to the default mapping of floats; with cmap, vmin or vmax, values outside " +
      "the range take the under and over colours (or 0 and 255)",
    ],
    [
      "background without labels",
      "?cmap=viridis&background=ffffff",
      DEPTH,
      400,
      "invalid_parameter",
      "background is the colour of label 0 with cmap=labels",
    ],
    [
      "vmin >= vmax after percentiles",
      "?cmap=viridis&vmin=p90&vmax=p10",
      DEPTH,
      422,
      "invalid_range",
      "vmin (2.7) must be less than vmax (0.30000000000000004) (vmin is p90, vmax is p10)",
    ],
    [
      "vmin above the maximum",
      "?cmap=gray&vmin=5",
      DEPTH,
      422,
      "invalid_range",
      "vmin (5) must be less than vmax (3) (vmax is the finite maximum)",
    ],
    [
      "cmap on an RGB array",
      "?cmap=viridis",
      { shape: [1, 1, 3], dtype: "uint8", data: new Uint8Array(3) } as PixelArray,
      422,
      "cmap_needs_one_channel",
      "a colormap maps one value per pixel, but shape (1, 1, 3) has 3 channels; send H×W or " +
      "H×W×1, or leave out cmap (vmin/vmax alone rescale every channel)",
    ],
    [
      "int64 beyond 2^53",
      "?cmap=viridis",
      { shape: [1, 2], dtype: "int64", data: new BigInt64Array([0n, 2n ** 60n]) } as PixelArray,
      422,
      "unrepresentable_value",
      "element 1 of the int64 array is 1152921504606846976, beyond ±2^53 where a float64 " +
      "(what matplotlib maps with) would change it; subtract an offset first",
    ],
  ] as const
) {
  Deno.test(`POST /render.png answers ${status} ${error} for ${label}`, async () => {
    await withServer(async ({ base }) => {
      await assertError(
        await post(`${base}/render.png${query}`, npy(array), NPY),
        status,
        error,
        detail,
      );
    });
  });
}

Deno.test("POST /render.png?cmap= renders an all-NaN array fully transparent", async () => {
  const nan: PixelArray = { shape: [2, 2], dtype: "float64", data: new Float64Array(4).fill(NaN) };
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png?cmap=magma`, npy(nan), NPY);
    assert.equal(res.status, 200);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([...pixels.rgba], new Array(16).fill(0));
  });
});

Deno.test("POST /render.png?cmap= reads a JSON depth map of floats as float64", async () => {
  await withServer(async ({ base }) => {
    const res = await post(
      `${base}/render.png?cmap=gray`,
      "[[0.0, 2.5], [5, 10.0]]",
      "application/json",
    );
    assert.equal(res.status, 200);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    // gray's table at floor(256 * v / 10): 0, 64, 128, 255 (10 is vmax: the last entry).
    assert.deepEqual([...pixels.rgba].filter((_, i) => i % 4 === 0), [0, 64, 128, 255]);
  });
});

Deno.test("POST /render.png refuses a misspelt display parameter, naming the real ones", async () => {
  await withServer(async ({ base }) => {
    await assertError(
      await post(`${base}/render.png?cmpa=viridis`, npy(DEPTH), NPY),
      400,
      "unknown_parameter",
      '"cmpa" is not a query parameter of POST /render.png; it takes ' +
        RENDER_PARAMS.map((param) => param.name).sort().join(", "),
    );
  });
});

Deno.test("POST /render.png?cmap= reads raw int16 bytes and float16 in an .npz", async () => {
  await withServer(async ({ base }) => {
    const raw = new Uint8Array(new Int16Array([-300, 0, 300, 600]).buffer);
    const res = await post(
      `${base}/render.png?shape=2,2&dtype=int16&cmap=gray`,
      raw,
      "application/octet-stream",
    );
    assert.equal(res.status, 200);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    // (v + 300) / 900 * 256, truncated: 0, 85, 170, and 600 is vmax: the last entry.
    assert.deepEqual([...pixels.rgba].filter((_, i) => i % 4 === 0), [0, 85, 170, 255]);
    const half = encodeNpy({
      shape: [1, 3],
      dtype: "float16",
      data: new Float16Array([0, 0.5, 1]),
    });
    const npz = zipSync({ "depth.npy": half });
    const zipped = await post(`${base}/render.png?cmap=gray&vmin=0&vmax=1`, npz, "application/zip");
    assert.equal(zipped.status, 200);
    const gray = await decodePixels(new Uint8Array(await zipped.arrayBuffer()));
    assert.deepEqual([...gray.rgba].filter((_, i) => i % 4 === 0), [0, 128, 255]);
  });
});
