import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { etagOf } from "../lib/http/conditional.ts";
import { assertError, expectedImages, post, readFixture, readGzipFixture } from "./_arrays.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

const NPY = "application/x-npy";
const ACCEPTED =
  "application/json, application/x-npy, application/zip, application/octet-stream, multipart/form-data";

/** POSTs a body to /render.png and decodes the answer. */
async function render(
  base: string,
  body: Uint8Array<ArrayBuffer> | string,
  type: string | null,
  query = "",
) {
  const res = await post(`${base}/render.png${query}`, body, type);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(bytes));
  assert.equal(res.headers.get("content-type"), "image/png");
  return await decodePixels(bytes);
}

Deno.test("POST /render.png?bits=8 renders every NumPy fixture as NumPy computed it", async () => {
  const expected = await expectedImages();
  await withServer(async ({ base }) => {
    for (const [name, { shape, rgba }] of Object.entries(expected)) {
      const [file, query] = name.split("?");
      // uint16 arrays become 16-bit PNGs by default; the fixtures hold their 8-bit image.
      const pixels = await render(
        base,
        await readFixture(`${file}.npy`),
        NPY,
        `?bits=8${query ? `&${query}` : ""}`,
      );
      assert.equal(pixels.height, shape[0], name);
      assert.equal(pixels.width, shape[1], name);
      assert.deepEqual([...pixels.rgba], rgba, name);
    }
  });
});

Deno.test("POST /render.png renders the NumPy sample .npy and .json as the sample", async () => {
  await withServer(async ({ base }) => {
    const npy = await render(base, await readGzipFixture("sample.npy.gz"), NPY);
    assertSamplePattern(npy, 512, 512);
    const json = await render(base, await readGzipFixture("sample.json.gz"), "application/json");
    assertSamplePattern(json, 512, 512);
  });
});

Deno.test("POST /render.png reads .npy and .npz sent as application/octet-stream", async () => {
  const expected = await expectedImages();
  await withServer(async ({ base }) => {
    const npy = await render(base, await readFixture("rgb_u8.npy"), "application/octet-stream");
    assert.deepEqual([...npy.rgba], expected.rgb_u8.rgba);
    const npz = await render(base, await readFixture("savez.npz"), "application/octet-stream");
    assert.deepEqual([...npz.rgba], expected.rgb_u8.rgba);
    const bare = await render(base, await readFixture("single.npz"), null);
    assert.deepEqual([...bare.rgba], expected.rgba_u8.rgba);
  });
});

Deno.test("POST /render.png picks an .npz array by ?key=", async () => {
  const expected = await expectedImages();
  await withServer(async ({ base }) => {
    const zip = await readFixture("savez_compressed.npz");
    for (const [key, name] of [["rgb", "rgb_u8"], ["gray", "gray_u8"], ["u16", "u16"]]) {
      const pixels = await render(base, zip, "application/zip", `?key=${key}&bits=8`);
      assert.deepEqual([...pixels.rgba], expected[name].rgba, key);
    }
    const mask = await render(base, await readFixture("savez.npz"), "application/zip", "?key=mask");
    assert.deepEqual([...mask.rgba], expected.bool.rgba);
  });
});

Deno.test("POST /render.png reads a JSON nested list", async () => {
  await withServer(async ({ base }) => {
    const pixels = await render(
      base,
      "[[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [9, 9, 9]]]",
      "application/json; charset=utf-8",
    );
    assert.deepEqual([...pixels.rgba], [
      255,
      0,
      0,
      255,
      0,
      255,
      0,
      255,
      0,
      0,
      255,
      255,
      9,
      9,
      9,
      255,
    ]);
  });
});

Deno.test("POST /render.png?order=bgr swaps blue and red", async () => {
  await withServer(async ({ base }) => {
    const bgr = await render(base, "[[[255, 0, 0, 128]]]", "application/json", "?order=bgr");
    assert.deepEqual([...bgr.rgba], [0, 0, 255, 128]);
  });
});

Deno.test("POST /render.png reads raw bytes with ?shape and ?dtype", async () => {
  await withServer(async ({ base }) => {
    const rgb = await render(
      base,
      new Uint8Array([1, 2, 3, 4, 5, 6]),
      "application/octet-stream",
      "?shape=1,2,3&dtype=uint8",
    );
    assert.deepEqual([...rgb.rgba], [1, 2, 3, 255, 4, 5, 6, 255]);
    const gray = await render(
      base,
      new Uint8Array([0, 0, 255, 255]),
      null,
      "?shape=1,2&dtype=uint16",
    );
    assert.deepEqual([...gray.rgba], [0, 0, 0, 255, 255, 255, 255, 255]);
    const float = await render(
      base,
      new Uint8Array(new Float32Array([0.5, 1]).buffer),
      null,
      "?shape=2,1&dtype=float32",
    );
    assert.deepEqual([...float.rgba], [128, 128, 128, 255, 255, 255, 255, 255]);
  });
});

Deno.test("POST /render.{jpg,jpeg,webp,gif} answer with the in-memory route's headers", async () => {
  await withServer(async ({ base }) => {
    const npy = await readGzipFixture("sample.npy.gz");
    for (
      const [ext, type, tolerance, margin] of [
        ["jpg", "image/jpeg", 8, 8],
        ["jpeg", "image/jpeg", 8, 8],
        ["webp", "image/webp", 0, 0],
        ["gif", "image/gif", 0, 0],
        ["png", "image/png", 0, 0],
      ] as const
    ) {
      const res = await post(`${base}/render.${ext}`, npy, NPY);
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), type);
      assert.equal(res.headers.get("content-length"), String(bytes.byteLength));
      assert.equal(res.headers.get("content-disposition"), `inline; filename="render.${ext}"`);
      assert.equal(res.headers.get("etag"), await etagOf(bytes));
      assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assertSamplePattern(await decodePixels(bytes), 512, 512, tolerance, margin);
    }
  });
});

Deno.test("POST /render.jpg takes ?quality, ?filename and ?download", async () => {
  await withServer(async ({ base }) => {
    const npy = await readGzipFixture("sample.npy.gz");
    const low = await post(`${base}/render.jpg?quality=10`, npy, NPY);
    const high = await post(`${base}/render.jpg?quality=95&filename=plot.jpg&download`, npy, NPY);
    const lowBytes = (await low.arrayBuffer()).byteLength;
    const highBytes = (await high.arrayBuffer()).byteLength;
    assert.ok(lowBytes < highBytes, `${lowBytes} < ${highBytes}`);
    assert.equal(high.headers.get("content-disposition"), 'attachment; filename="plot.jpg"');
  });
});

for (
  const [label, query, body, type, status, error, detail] of [
    [
      "a media type it does not read",
      "",
      "[[1]]",
      "text/plain",
      415,
      "unsupported_media_type",
      `Content-Type text/plain is not read here; send one of ${ACCEPTED}`,
    ],
    [
      "an octet stream that is neither .npy nor .npz",
      "",
      "GIF89a",
      "application/octet-stream",
      415,
      "unsupported_media_type",
      "the application/octet-stream body is neither a .npy file (\\x93NUMPY) nor an .npz " +
      "archive (PK\\x03\\x04); for raw pixel bytes add ?shape=H,W[,C]&dtype=uint8",
    ],
    [
      "malformed JSON",
      "",
      "[[1, 2], [3, 4]",
      "application/json",
      400,
      "invalid_json",
      "malformed JSON at byte 15: expected ',' or ']', found the end of the body",
    ],
    [
      "a ragged list",
      "",
      "[[1, 2], [3]]",
      "application/json",
      422,
      "ragged_array",
      "[1] has 1 item where [0] has 2; every list at one depth must be as long as the first",
    ],
    [
      "a JSON value past 255 (int64) without a display mapping",
      "",
      "[[[0, 0, 0], [0, 0, 256]]]",
      "application/json",
      422,
      "unsupported_dtype",
      "int64 has no default 8-bit mapping (uint8, bool, uint16 and floats in [0, 1] have); " +
      "add ?cmap=NAME (single channel), ?cmap=labels (integer masks) or ?vmin=&vmax= to rescale",
    ],
    [
      "a JSON float past 1 without a display mapping",
      "",
      "[[0.5, 1.5]]",
      "application/json",
      422,
      "invalid_value",
      "[0][1] is 1.5; float64 pixels must lie in [0, 1] (add ?clip to clip them and map NaN to 0)",
    ],
    [
      "a 1-D list",
      "",
      "[1, 2, 3]",
      "application/json",
      422,
      "unsupported_shape",
      "shape (3,) is not an image; send H×W or H×W×1 (gray), H×W×2 (gray, alpha), H×W×3 (RGB) " +
      "or H×W×4 (RGBA), each axis at least 1",
    ],
    [
      "a raw body of the wrong length",
      "?shape=2,2,3",
      "abc",
      "application/octet-stream",
      400,
      "invalid_raw",
      "shape (2, 2, 3) of uint8 is 12 bytes, but the body has 3",
    ],
    [
      "a raw dtype it does not read",
      "?shape=2,2&dtype=complex64",
      "abcdefgh",
      "application/octet-stream",
      422,
      "unsupported_dtype",
      "dtype complex64 is not supported; send one of uint8, bool, uint16, float32, float64, int8, int16, int32, int64, uint32, uint64, float16",
    ],
    [
      "a raw int16 array without a display mapping",
      "?shape=2,2&dtype=int16",
      "abcdefgh",
      "application/octet-stream",
      422,
      "unsupported_dtype",
      "int16 has no default 8-bit mapping (uint8, bool, uint16 and floats in [0, 1] have); " +
      "add ?cmap=NAME (single channel), ?cmap=labels (integer masks) or ?vmin=&vmax= to rescale",
    ],
    [
      "a malformed shape",
      "?shape=2,x",
      "abcd",
      "application/octet-stream",
      400,
      "invalid_parameter",
      'shape must be H,W or H,W,C in positive integers, got "2,x"',
    ],
    [
      "a dtype without a shape",
      "?dtype=uint8",
      "abcd",
      "application/octet-stream",
      400,
      "invalid_parameter",
      "dtype describes raw bytes and needs shape",
    ],
    [
      "a shape with a JSON body",
      "?shape=1,1",
      "[[1]]",
      "application/json",
      400,
      "invalid_parameter",
      "shape and dtype describe raw bytes; send them as application/octet-stream",
    ],
    [
      "a key with a JSON body",
      "?key=arr_0",
      "[[1]]",
      "application/json",
      400,
      "invalid_parameter",
      "key picks an array out of an .npz archive",
    ],
    [
      "a malformed .npy",
      "",
      new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]),
      NPY,
      400,
      "invalid_npy",
      "invalid .npy file: the file ends inside its header",
    ],
    [
      "a bad order",
      "?order=grb",
      "[[1]]",
      "application/json",
      400,
      "invalid_parameter",
      'order must be one of rgb, bgr, got "grb"',
    ],
    [
      "a quality for PNG",
      "?quality=50",
      "[[1]]",
      "application/json",
      400,
      "invalid_quality",
      "quality applies to jpeg, webp and avif, not png",
    ],
  ] as const
) {
  Deno.test(`POST /render.png answers ${status} ${error} for ${label}`, async () => {
    await withServer(async ({ base }) => {
      await assertError(
        await post(`${base}/render.png${query}`, body, type),
        status,
        error,
        detail,
      );
    });
  });
}

for (
  const [file, query, status, error, detail] of [
    [
      "nan_f32.npy",
      "",
      422,
      "invalid_value",
      "[2][3][1] is NaN; float32 pixels must lie in [0, 1] (add ?clip to clip them and map NaN to 0)",
    ],
    [
      "over_f64.npy",
      "",
      422,
      "invalid_value",
      "[3][1] is 1.25; float64 pixels must lie in [0, 1] (add ?clip to clip them and map NaN to 0)",
    ],
    [
      "int64.npy",
      "",
      422,
      "unsupported_dtype",
      "int64 has no default 8-bit mapping (uint8, bool, uint16 and floats in [0, 1] have); " +
      "add ?cmap=NAME (single channel), ?cmap=labels (integer masks) or ?vmin=&vmax= to rescale",
    ],
    [
      "five_channels.npy",
      "",
      422,
      "unsupported_shape",
      "shape (4, 6, 5) is not an image; send H×W or H×W×1 (gray), H×W×2 (gray, alpha), H×W×3 (RGB) " +
      "or H×W×4 (RGBA), each axis at least 1",
    ],
    [
      "savez_compressed.npz",
      "",
      422,
      "missing_key",
      "the archive holds rgb, gray, u16 and no arr_0; pick one with ?key=",
    ],
    [
      "savez_compressed.npz",
      "?key=blue",
      422,
      "missing_key",
      'the archive has no array "blue"; it holds rgb, gray, u16',
    ],
  ] as const
) {
  Deno.test(`POST /render.png answers ${status} ${error} for ${file}${query}`, async () => {
    await withServer(async ({ base }) => {
      const res = await post(`${base}/render.png${query}`, await readFixture(file), null);
      await assertError(res, status, error, detail);
    });
  });
}

Deno.test("POST /render.png answers 422 too_many_pixels past MAX_PIXELS", async () => {
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png`, await readFixture("rgb_u8.npy"), NPY);
    await assertError(res, 422, "too_many_pixels", "6x4 is 24 pixels, more than MAX_PIXELS (23)");
  }, { maxPixels: 23 });
});

Deno.test("POST /render.png answers 413 inflated_too_large for a zip bomb", async () => {
  const size = 4 * 1024 * 1024;
  const npy = encodeNpy({ shape: [size], dtype: "uint8", data: new Uint8Array(size) });
  const zip = zipSync({ "arr_0.npy": [npy, { level: 9 }] });
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png`, zip, "application/zip");
    await assertError(
      res,
      413,
      "inflated_too_large",
      `arr_0.npy declares ${npy.length} inflated bytes, more than the limit of 1048576`,
    );
  }, { maxBodyBytes: 1024 * 1024 });
});

Deno.test("GET /render.png answers 405 with Allow: POST", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/render.png`);
    assert.equal(res.headers.get("allow"), "POST");
    await assertError(res, 405, "method_not_allowed", "GET is not allowed here; use POST");
  });
});
