import assert from "node:assert/strict";
import { Image } from "imagescript";
import { arrayToChannels, arrayToImage, imageToArray } from "../lib/arrays/convert.ts";
import { toRgba } from "../lib/image/encode.ts";
import {
  checkPixels,
  expandToRgba,
  imageShape,
  isOpaque,
  rgbaToArray,
  toUint8,
} from "../lib/arrays/layout.ts";
import { parseRawArray } from "../lib/arrays/raw.ts";
import { parseShapeParam } from "../lib/http/params.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { checkDtype, formatShape, unravelIndex } from "../lib/arrays/types.ts";
import { assertThrowsHttp } from "./_arrays.ts";

for (
  const [shape, expected] of [
    [[4, 6], { height: 4, width: 6, channels: 1 }],
    [[4, 6, 1], { height: 4, width: 6, channels: 1 }],
    [[4, 6, 2], { height: 4, width: 6, channels: 2 }],
    [[4, 6, 3], { height: 4, width: 6, channels: 3 }],
    [[1, 1, 4], { height: 1, width: 1, channels: 4 }],
  ] as const
) {
  Deno.test(`imageShape() reads (${shape})`, () => {
    assert.deepEqual(imageShape(shape), expected);
  });
}

for (const shape of [[], [5], [4, 6, 5], [0, 6, 3], [4, 0], [2, 2, 3, 1]]) {
  Deno.test(`imageShape() refuses ${formatShape(shape)} with 422 unsupported_shape`, async () => {
    await assertThrowsHttp(
      () => imageShape(shape),
      422,
      "unsupported_shape",
      `shape ${formatShape(shape)} is not an image; send H×W or H×W×1 (gray), ` +
        "H×W×2 (gray, alpha), H×W×3 (RGB) or H×W×4 (RGBA), each axis at least 1",
    );
  });
}

const array = (dtype: PixelArray["dtype"], data: PixelArray["data"]): PixelArray => ({
  shape: [data.length],
  dtype,
  data,
});

for (
  const [label, input, expected] of [
    ["uint8 as is", array("uint8", new Uint8Array([0, 7, 255])), [0, 7, 255]],
    ["bool to 0 and 255", array("bool", new Uint8Array([0, 1, 2])), [0, 255, 255]],
    [
      "uint16 by round(v / 257)",
      array("uint16", new Uint16Array([0, 128, 129, 257, 385, 386, 32767, 32768, 65535])),
      [0, 0, 1, 1, 1, 2, 127, 128, 255],
    ],
    [
      "float64 by round(v * 255), ties to even",
      array("float64", new Float64Array([0, 0.5, 1, 0.25, 2.5 / 255, 3.5 / 255])),
      [0, 128, 255, 64, 2, 4],
    ],
    [
      "float32 in float32 precision",
      array("float32", new Float32Array([0.5, 2.5 / 255, 1.5 / 255, 1])),
      [128, 2, 2, 255],
    ],
  ] as const
) {
  Deno.test(`toUint8() scales ${label}`, () => {
    assert.deepEqual([...toUint8(input, false)], expected);
  });
}

Deno.test("toUint8() with clip maps NaN to 0 and clips to [0, 1]", () => {
  const input = array("float32", new Float32Array([NaN, -0.5, 1.5, 0.5, -0, Infinity]));
  assert.deepEqual([...toUint8(input, true)], [0, 0, 255, 128, 0, 255]);
});

Deno.test("toUint8() names the first float outside [0, 1] by its index path", async () => {
  const data = new Float64Array(2 * 3 * 4).fill(0.5);
  data[1 * 12 + 2 * 4 + 3] = -0.25;
  data[1 * 12 + 2 * 4 + 1] = NaN;
  await assertThrowsHttp(
    () => toUint8({ shape: [2, 3, 4], dtype: "float64", data }, false),
    422,
    "invalid_value",
    "[1][2][1] is NaN; float64 pixels must lie in [0, 1]",
  );
});

Deno.test("expandToRgba() writes gray, RGB, BGR, RGBA and BGRA as RGBA", () => {
  const cases = [
    [1, "rgb", [9], [9, 9, 9, 255]],
    [1, "bgr", [9], [9, 9, 9, 255]],
    [3, "rgb", [1, 2, 3], [1, 2, 3, 255]],
    [3, "bgr", [1, 2, 3], [3, 2, 1, 255]],
    [4, "rgb", [1, 2, 3, 4], [1, 2, 3, 4]],
    [4, "bgr", [1, 2, 3, 4], [3, 2, 1, 4]],
  ] as const;
  for (const [channels, order, values, rgba] of cases) {
    const out = new Uint8Array(4);
    expandToRgba(new Uint8Array(values), { height: 1, width: 1, channels }, order, out);
    assert.deepEqual([...out], rgba, `${channels} channels, ${order}`);
  }
});

Deno.test("rgbaToArray() writes gray by BT.601 luma, rounded", () => {
  const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 9, 10, 20, 30, 0]);
  const gray = rgbaToArray(rgba, 4, 1, "gray", "rgb");
  assert.deepEqual(gray.shape, [1, 4]);
  // 0.299·255 = 76.245, 0.587·255 = 149.685, 0.114·255 = 29.07, 2.99 + 11.74 + 3.42 = 18.15
  assert.deepEqual([...gray.data], [76, 150, 29, 18]);
});

Deno.test("rgbaToArray() writes RGB, BGR, RGBA and BGRA", () => {
  const rgba = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...rgbaToArray(rgba, 2, 1, "rgb", "rgb").data], [1, 2, 3, 5, 6, 7]);
  assert.deepEqual([...rgbaToArray(rgba, 2, 1, "rgb", "bgr").data], [3, 2, 1, 7, 6, 5]);
  assert.deepEqual([...rgbaToArray(rgba, 2, 1, "rgba", "rgb").data], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...rgbaToArray(rgba, 2, 1, "rgba", "bgr").data], [3, 2, 1, 4, 7, 6, 5, 8]);
  assert.deepEqual(rgbaToArray(rgba, 1, 2, "rgba", "rgb").shape, [2, 1, 4]);
});

Deno.test("isOpaque() looks at every alpha", () => {
  assert.equal(isOpaque(new Uint8Array([0, 0, 0, 255, 1, 1, 1, 255])), true);
  assert.equal(isOpaque(new Uint8Array([0, 0, 0, 255, 1, 1, 1, 254])), false);
});

Deno.test("arrayToImage() and imageToArray() round-trip BGR", () => {
  const data = new Uint8Array([10, 20, 30, 40, 50, 60]);
  const image = arrayToImage({ shape: [1, 2, 3], dtype: "uint8", data }, { order: "bgr" });
  assert.deepEqual([...image.bitmap], [30, 20, 10, 255, 60, 50, 40, 255]);
  const back = imageToArray(image, { order: "bgr" });
  assert.deepEqual(back.shape, [1, 2, 3]);
  assert.deepEqual([...back.data], [...data]);
});

Deno.test("imageToArray() picks rgba only when a pixel is not opaque", () => {
  const image = new Image(2, 1);
  image.bitmap.set([1, 2, 3, 255, 4, 5, 6, 255]);
  assert.deepEqual(imageToArray(image).shape, [1, 2, 3]);
  image.bitmap[7] = 128;
  assert.deepEqual(imageToArray(image).shape, [1, 2, 4]);
  assert.deepEqual(imageToArray(image, { mode: "gray" }).shape, [1, 2]);
});

Deno.test("arrayToImage() checks the pixel limit before building", async () => {
  const data = new Uint8Array(6 * 4);
  await assertThrowsHttp(
    () => arrayToImage({ shape: [4, 6], dtype: "uint8", data }, { maxPixels: 23 }),
    422,
    "too_many_pixels",
    "6x4 is 24 pixels, more than MAX_PIXELS (23)",
  );
  assert.equal(arrayToImage({ shape: [4, 6], dtype: "uint8", data }, { maxPixels: 24 }).width, 6);
});

Deno.test("arrayToImage() refuses data shorter than its shape", async () => {
  await assertThrowsHttp(
    () => arrayToImage({ shape: [2, 2], dtype: "uint8", data: new Uint8Array(3) }),
    422,
    "unsupported_shape",
    "shape (2, 2) holds 4 values but the data has 3",
  );
});

Deno.test("checkPixels() allows exactly the limit", async () => {
  checkPixels(10, 10, 100);
  await assertThrowsHttp(
    () => checkPixels(10, 11, 100),
    422,
    "too_many_pixels",
    "10x11 is 110 pixels, more than MAX_PIXELS (100)",
  );
});

for (
  const [text, shape] of [
    ["512,512,3", [512, 512, 3]],
    [" 4 , 6 ", [4, 6]],
    ["4,6,", [4, 6]],
    ["7", [7]],
  ] as const
) {
  Deno.test(`parseShapeParam() reads ${JSON.stringify(text)}`, () => {
    assert.deepEqual(parseShapeParam(text), shape);
  });
}

for (const text of ["", "4,x", "4,0", "4,-6", "1,2,3,4", "4.5,6", "1e3,2"]) {
  Deno.test(`parseShapeParam() refuses ${JSON.stringify(text)}`, async () => {
    await assertThrowsHttp(
      () => parseShapeParam(text),
      400,
      "invalid_parameter",
      `shape must be H,W or H,W,C in positive integers, got ${JSON.stringify(text)}`,
    );
  });
}

Deno.test("parseRawArray() reads little-endian uint16 and checks the length", async () => {
  const array = parseRawArray(new Uint8Array([1, 0, 0, 1, 255, 255, 0, 0]), [2, 2], "uint16");
  assert.deepEqual([...array.data], [1, 256, 65535, 0]);
  await assertThrowsHttp(
    () => parseRawArray(new Uint8Array(7), [2, 2], "uint16"),
    400,
    "invalid_raw",
    "shape (2, 2) of uint16 is 8 bytes, but the body has 7",
  );
});

Deno.test("checkDtype() names the dtype it refuses", async () => {
  assert.equal(checkDtype("bool"), "bool");
  assert.equal(checkDtype("int16"), "int16");
  await assertThrowsHttp(
    () => checkDtype("complex64"),
    422,
    "unsupported_dtype",
    `dtype complex64 is not supported; send one of ${"uint8, bool, uint16, float32, float64, int8, int16, int32, int64, uint32, uint64, float16"}`,
  );
});

Deno.test("unravelIndex() inverts C order", () => {
  assert.deepEqual(unravelIndex(0, [2, 3, 4]), [0, 0, 0]);
  assert.deepEqual(unravelIndex(23, [2, 3, 4]), [1, 2, 3]);
  assert.deepEqual(unravelIndex(13, [2, 3, 4]), [1, 0, 1]);
});

Deno.test("arrayToChannels() passes uint8 RGB and gray through and equals arrayToImage", () => {
  const data = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 13);
  const cases = [
    { array: { shape: [2, 3, 3], dtype: "uint8", data } as const, order: "rgb", channels: 3 },
    { array: { shape: [2, 3, 3], dtype: "uint8", data } as const, order: "bgr", channels: 4 },
    { array: { shape: [3, 6], dtype: "uint8", data } as const, order: "bgr", channels: 1 },
    {
      array: { shape: [2, 3], dtype: "float32", data: new Float32Array(6).fill(0.5) } as const,
      order: "rgb",
      channels: 1,
    },
  ] as const;
  for (const { array, order, channels } of cases) {
    const pixels = arrayToChannels(array, { order });
    assert.equal(pixels.channels, channels);
    if (array.dtype === "uint8" && channels !== 4) assert.equal(pixels.data, array.data);
    const image = arrayToImage(array, { order });
    assert.deepEqual(toRgba(pixels).rgba, new Uint8Array(image.bitmap));
  }
});
