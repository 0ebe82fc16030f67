/**
 * Decoded arrays forced to a layout and dtype: `?mode=gray|rgb|rgba`, `?order=bgr` and
 * `?dtype=uint8|uint16` of `/decode`. Gray from colour is ITU-R BT.601 luma,
 * `round(0.299 R + 0.587 G + 0.114 B)` (half up), alpha ignored; gray to colour repeats
 * the value; a missing alpha is opaque (the dtype's maximum). `uint16` to `uint8` is
 * `round(v / 257)`, `uint8` to `uint16` is `v * 257`.
 *
 * @module
 */

import { numberData } from "./types.ts";
import type { ArrayMode, ChannelOrder } from "./layout.ts";
import type { PixelArray } from "./types.ts";

/** Options of {@linkcode conformArray}. */
export interface ConformOptions {
  /** The channels wanted; the array's own when absent. */
  mode?: ArrayMode;
  /** `bgr` for B, G, R(, A). @default {"rgb"} */
  order?: ChannelOrder;
  /** The dtype wanted; the array's own when absent. */
  dtype?: "uint8" | "uint16";
}

/** Every dtype `?dtype=` of `/decode` may ask for. */
export const DECODE_DTYPES: readonly ("uint8" | "uint16")[] = ["uint8", "uint16"];

const MODE_CHANNELS: Readonly<Record<ArrayMode, number>> = { gray: 1, rgb: 3, rgba: 4 };

/**
 * An image array (H×W, H×W×C, or a stack of them) in a mode, channel order and dtype.
 *
 * @param array `uint8` or `uint16` pixels.
 * @param channels The samples per pixel of `array`: 1 when it has no channel axis (gray
 *   (H, W) or (N, H, W)), else the length of its last axis.
 * @param options Mode, order and dtype.
 * @returns The array, unchanged when nothing is asked.
 * @example
 * conformArray({ shape: [1, 1, 3], dtype: "uint8", data: new Uint8Array([255, 0, 0]) }, 3, {
 *   mode: "gray",
 * }).data; // Uint8Array [76]
 */
export function conformArray(
  array: PixelArray,
  channels: number,
  options: ConformOptions,
): PixelArray {
  let out = array;
  if (options.dtype !== undefined && options.dtype !== array.dtype) out = convertDtype(out);
  const wanted = options.mode === undefined ? channels : MODE_CHANNELS[options.mode];
  if (wanted !== channels) out = convertChannels(out, channels, wanted);
  if (options.order === "bgr" && wanted >= 3) out = swapRedBlue(out, wanted);
  return out;
}

function convertDtype(array: PixelArray): PixelArray {
  const src = numberData(array);
  if (array.dtype === "uint16") {
    const data = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) data[i] = Math.floor((src[i] + 128) / 257);
    return { shape: array.shape, dtype: "uint8", data };
  }
  const data = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i] * 257;
  return { shape: array.shape, dtype: "uint16", data };
}

function convertChannels(array: PixelArray, from: number, to: number): PixelArray {
  const src = numberData(array);
  const pixels = src.length / from;
  const data = array.dtype === "uint16"
    ? new Uint16Array(pixels * to)
    : new Uint8Array(pixels * to);
  const max = array.dtype === "uint16" ? 65535 : 255;
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += from, o += to) {
    const gray = from <= 2;
    const alpha = from === 2 || from === 4 ? src[i + from - 1] : max;
    if (to === 1) {
      data[o] = gray
        ? src[i]
        : Math.floor((299 * src[i] + 587 * src[i + 1] + 114 * src[i + 2] + 500) / 1000);
      continue;
    }
    data[o] = src[i];
    data[o + 1] = gray ? src[i] : src[i + 1];
    data[o + 2] = gray ? src[i] : src[i + 2];
    if (to === 4) data[o + 3] = alpha;
  }
  // Decoded gray has no channel axis: (H, W) or (N, H, W).
  const frame = from === 1 ? array.shape : array.shape.slice(0, -1);
  return { shape: to === 1 ? frame : [...frame, to], dtype: array.dtype, data };
}

function swapRedBlue(array: PixelArray, channels: number): PixelArray {
  const data = array.data.slice();
  for (let i = 0; i < data.length; i += channels) {
    data[i] = array.data[i + 2];
    data[i + 2] = array.data[i];
  }
  return { shape: array.shape, dtype: array.dtype, data };
}
