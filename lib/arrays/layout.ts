/**
 * Pixel layouts: which array shapes are images, how each dtype becomes 8-bit
 * values, and how gray, RGB, RGBA and OpenCV's BGR/BGRA map onto RGBA pixels.
 *
 * Scaling to 8 bits (the same as `fixtures/arrays/make_fixtures.py` computes with NumPy):
 * - `uint8` as is; `bool` False → 0, True → 255;
 * - other integer dtypes have no default (a 422 that names the display parameters);
 * - `uint16` → `round(v / 257)`, exactly `(v + 128) // 257`: the inverse of the
 *   usual 8 → 16 bit widening `v * 257`, so 65535 → 255 and 257·k → k;
 * - `float16`/`float32`/`float64` in [0, 1] → `np.round(v * 255)`: the product in the
 *   array's own precision, rounded half to even as NumPy does. NaN or a value
 *   outside [0, 1] is refused unless `clip`, which maps NaN to 0 and clips.
 *
 * Gray from colour is ITU-R BT.601 luma, `round(0.299 R + 0.587 G + 0.114 B)`
 * (half up), alpha ignored.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import {
  type Dtype,
  elementCount,
  formatPath,
  formatShape,
  type PixelArray,
  unravelIndex,
} from "./types.ts";

/** Channel order of 3- and 4-channel arrays: `bgr` is OpenCV's BGR/BGRA. */
export type ChannelOrder = "rgb" | "bgr";

/** The channels of an array made from an image. */
export type ArrayMode = "gray" | "rgb" | "rgba";

/** Every {@linkcode ChannelOrder}. */
export const CHANNEL_ORDERS: readonly ChannelOrder[] = ["rgb", "bgr"];

/** Every {@linkcode ArrayMode}. */
export const ARRAY_MODES: readonly ArrayMode[] = ["gray", "rgb", "rgba"];

/** An array shape read as an image. */
export interface ImageShape {
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
  /** 1 (gray), 2 (gray, alpha), 3 (RGB or BGR) or 4 (RGBA or BGRA). */
  channels: 1 | 2 | 3 | 4;
}

/**
 * Reads a shape as an image: H×W or H×W×1 (gray), H×W×2 (gray, alpha), H×W×3, H×W×4,
 * none of them empty.
 *
 * @param shape Axis lengths.
 * @returns Height, width and channels.
 * @throws {CodecError} unprocessable: `unsupported_shape` for any other shape.
 * @example
 * ```ts
 * import { imageShape } from "./layout.ts";
 *
 * imageShape([512, 512, 3]); // { height: 512, width: 512, channels: 3 }
 * ```
 */
export function imageShape(shape: readonly number[]): ImageShape {
  const channels = shape.length === 2 ? 1 : shape[2];
  const ok = (shape.length === 2 || shape.length === 3) &&
    channels >= 1 && channels <= 4 && shape[0] > 0 && shape[1] > 0;
  if (!ok) {
    throw new CodecError(
      "unprocessable",
      "unsupported_shape",
      `shape ${formatShape(shape)} is not an image; send H×W or H×W×1 (gray), ` +
        `H×W×2 (gray, alpha), H×W×3 (RGB) or H×W×4 (RGBA), each axis at least 1`,
    );
  }
  return { height: shape[0], width: shape[1], channels: channels as 1 | 2 | 3 | 4 };
}

/**
 * Checks an image size against a pixel limit.
 *
 * @param width Columns.
 * @param height Rows.
 * @param maxPixels The limit.
 * @param subject What has the size, named in the message (e.g. `the source`).
 * @throws {CodecError} unprocessable: `too_many_pixels` past it.
 * @example
 * ```ts
 * import { checkPixels } from "./layout.ts";
 *
 * checkPixels(512, 512, 40_000_000);
 * ```
 */
export function checkPixels(
  width: number,
  height: number,
  maxPixels: number,
  subject?: string,
): void {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new CodecError(
      "unprocessable",
      "too_many_pixels",
      (subject === undefined
        ? `${width}x${height} is ${pixels} pixels`
        : `${subject} is ${width}x${height}, ${pixels} pixels`) +
        `, more than MAX_PIXELS (${maxPixels})`,
    );
  }
}

let uint16Table: Uint8Array | undefined;

/** `(v + 128) // 257` for every uint16 value, built on first use. */
function uint16ToUint8(): Uint8Array {
  if (uint16Table === undefined) {
    uint16Table = new Uint8Array(65536);
    for (let v = 0; v < 65536; v++) uint16Table[v] = Math.floor((v + 128) / 257);
  }
  return uint16Table;
}

/**
 * The values of an array as 8 bits, scaled per dtype (see the module notes).
 *
 * @param array Any array.
 * @param clip For floats: NaN → 0 and values clipped to [0, 1] instead of refused.
 * @returns One byte per element, C order; a `uint8` array's own data.
 * @throws {CodecError} unprocessable: `invalid_value` naming the first float that is NaN or
 *   outside [0, 1] by its index path, e.g. `[2][3][1]`.
 * @example
 * ```ts
 * import { toUint8 } from "./layout.ts";
 *
 * toUint8({ shape: [2], dtype: "float32", data: new Float32Array([0.5, 1]) }, false);
 * // Uint8Array [128, 255]
 * ```
 */
export function toUint8(array: PixelArray, clip: boolean): Uint8Array {
  const src = array.data;
  if (array.dtype === "uint8") return src as Uint8Array;
  const out = new Uint8Array(src.length);
  if (array.dtype === "bool") {
    for (let i = 0; i < src.length; i++) out[i] = src[i] === 0 ? 0 : 255;
  } else if (array.dtype === "uint16") {
    const table = uint16ToUint8();
    const values = src as Uint16Array;
    for (let i = 0; i < values.length; i++) out[i] = table[values[i]];
  } else {
    if (!isFloatDtype(array.dtype)) throw needsDisplayMapping(array.dtype);
    const values = src as Float16Array | Float32Array | Float64Array;
    const round = array.dtype === "float32"
      ? Math.fround
      : array.dtype === "float16"
      ? Math.f16round
      : (x: number) => x;
    for (let i = 0; i < values.length; i++) {
      let v = values[i];
      if (!(v >= 0 && v <= 1)) {
        if (!clip) throw outOfRange(array, i);
        v = v > 1 ? 1 : 0;
      }
      out[i] = roundHalfEven(round(v * 255));
    }
  }
  return out;
}

/** Whether a dtype holds floating-point numbers. */
function isFloatDtype(dtype: Dtype): boolean {
  return dtype === "float16" || dtype === "float32" || dtype === "float64";
}

/** The error for a dtype without a default 8-bit mapping. */
function needsDisplayMapping(dtype: Dtype): CodecError {
  return new CodecError(
    "unprocessable",
    "unsupported_dtype",
    `${dtype} has no default 8-bit mapping (uint8, bool, uint16 and floats in [0, 1] have)`,
  );
}

/**
 * Rounds to the nearest integer, ties to even, as `np.round`.
 *
 * @param x A number.
 * @returns The nearest integer; halves go to the even one.
 * @example
 * ```ts
 * import { roundHalfEven } from "./layout.ts";
 *
 * console.log(roundHalfEven(2.5), roundHalfEven(3.5)); // 2 4
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) === 1 ? r - 1 : r;
}

/**
 * The error for a float pixel that is NaN or outside [0, 1], named by its index path.
 *
 * @param array The array.
 * @param flat The C-order index of the value.
 * @returns An `unprocessable` `invalid_value` error.
 * @example
 * ```ts
 * import { outOfRange } from "./layout.ts";
 *
 * const array = { shape: [2], dtype: "float32" as const, data: new Float32Array([0, 2]) };
 * console.log(outOfRange(array, 1).message); // "[1] is 2; float32 pixels must lie in [0, 1]"
 * ```
 */
export function outOfRange(array: PixelArray, flat: number): CodecError {
  const path = formatPath(unravelIndex(flat, array.shape));
  return new CodecError(
    "unprocessable",
    "invalid_value",
    `${path} is ${array.data[flat]}; ${array.dtype} pixels must lie in [0, 1]`,
  );
}

/**
 * Expands 8-bit channels into RGBA pixels.
 *
 * @param values One byte per element, C order, `height * width * channels` of them.
 * @param shape The image shape.
 * @param order `bgr` when 3 or 4 channels are B, G, R(, A).
 * @param rgba The destination, `height * width * 4` bytes.
 * @example
 * ```ts
 * import { expandToRgba } from "./layout.ts";
 *
 * const rgba = new Uint8Array(4);
 * expandToRgba(new Uint8Array([9]), { height: 1, width: 1, channels: 1 }, "rgb", rgba);
 * // rgba: [9, 9, 9, 255]
 * ```
 */
export function expandToRgba(
  values: Uint8Array,
  shape: ImageShape,
  order: ChannelOrder,
  rgba: Uint8Array | Uint8ClampedArray,
): void {
  const pixels = shape.height * shape.width;
  const r = order === "bgr" ? 2 : 0;
  const b = 2 - r;
  if (shape.channels === 1) {
    for (let p = 0, o = 0; p < pixels; p++, o += 4) {
      const v = values[p];
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
      rgba[o + 3] = 255;
    }
  } else if (shape.channels === 2) {
    for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 2, o += 4) {
      const v = values[i];
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
      rgba[o + 3] = values[i + 1];
    }
  } else if (shape.channels === 3) {
    for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 3, o += 4) {
      rgba[o] = values[i + r];
      rgba[o + 1] = values[i + 1];
      rgba[o + 2] = values[i + b];
      rgba[o + 3] = 255;
    }
  } else if (order === "rgb") {
    rgba.set(values.subarray(0, pixels * 4));
  } else {
    for (let o = 0; o < pixels * 4; o += 4) {
      rgba[o] = values[o + 2];
      rgba[o + 1] = values[o + 1];
      rgba[o + 2] = values[o];
      rgba[o + 3] = values[o + 3];
    }
  }
}

/**
 * Whether every pixel is fully opaque.
 *
 * @param rgba RGBA pixels.
 * @returns `true` when every alpha is 255.
 * @example
 * ```ts
 * import { isOpaque } from "./layout.ts";
 *
 * isOpaque(new Uint8Array([1, 2, 3, 255])); // true
 * ```
 */
export function isOpaque(rgba: Uint8Array | Uint8ClampedArray): boolean {
  for (let o = 3; o < rgba.length; o += 4) if (rgba[o] !== 255) return false;
  return true;
}

/**
 * RGBA pixels as a `uint8` array of one mode and channel order.
 *
 * @param rgba `height * width * 4` bytes.
 * @param width Columns.
 * @param height Rows.
 * @param mode `gray` (H×W, BT.601 luma), `rgb` (H×W×3) or `rgba` (H×W×4).
 * @param order `bgr` for B, G, R(, A); no effect on gray.
 * @returns The array.
 * @example
 * ```ts
 * import { rgbaToArray } from "./layout.ts";
 *
 * rgbaToArray(new Uint8Array([255, 0, 0, 255]), 1, 1, "gray", "rgb").data; // Uint8Array [76]
 * ```
 */
export function rgbaToArray(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  mode: ArrayMode,
  order: ChannelOrder,
): PixelArray {
  const pixels = width * height;
  const r = order === "bgr" ? 2 : 0;
  const b = 2 - r;
  if (mode === "gray") {
    const data = new Uint8Array(pixels);
    for (let p = 0, i = 0; p < pixels; p++, i += 4) {
      data[p] = ((299 * rgba[i] + 587 * rgba[i + 1] + 114 * rgba[i + 2] + 500) / 1000) | 0;
    }
    return { shape: [height, width], dtype: "uint8", data };
  }
  if (mode === "rgba") {
    const data = new Uint8Array(pixels * 4);
    if (order === "rgb") data.set(rgba);
    else {
      for (let i = 0; i < pixels * 4; i += 4) {
        data[i] = rgba[i + 2];
        data[i + 1] = rgba[i + 1];
        data[i + 2] = rgba[i];
        data[i + 3] = rgba[i + 3];
      }
    }
    return { shape: [height, width, 4], dtype: "uint8", data };
  }
  const data = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0; o < pixels * 3; i += 4, o += 3) {
    data[o + r] = rgba[i];
    data[o + 1] = rgba[i + 1];
    data[o + b] = rgba[i + 2];
  }
  return { shape: [height, width, 3], dtype: "uint8", data };
}

/**
 * Checks that an array's element count matches its shape.
 *
 * @param array Any array.
 * @returns The array unchanged.
 * @throws {CodecError} unprocessable: `unsupported_shape` when `data` is shorter or longer than the shape.
 * @example
 * ```ts
 * import { checkElementCount } from "./layout.ts";
 *
 * checkElementCount({ shape: [1, 1], dtype: "uint8", data: new Uint8Array(1) });
 * ```
 */
export function checkElementCount(array: PixelArray): PixelArray {
  const expected = elementCount(array.shape);
  if (array.data.length !== expected) {
    throw new CodecError(
      "unprocessable",
      "unsupported_shape",
      `shape ${formatShape(array.shape)} holds ${expected} values but the data has ` +
        `${array.data.length}`,
    );
  }
  return array;
}
