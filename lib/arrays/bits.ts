/**
 * Arrays as 16-bit samples, for PNG's 16 bits per channel:
 * - `uint16` as is; `uint8` widened `v * 257` (so 255 → 65535);
 * - `bool` False → 0, True → 65535;
 * - `float32`/`float64` in [0, 1] → `np.round(v * 65535)` (ties to even); NaN or a value
 *   outside [0, 1] is refused unless `clip`, which maps NaN to 0 and clips.
 *
 * @module
 */

import type { ChannelPixels } from "../image/encode.ts";
import {
  type ChannelOrder,
  checkElementCount,
  checkPixels,
  imageShape,
  outOfRange,
  roundHalfEven,
} from "./layout.ts";
import { numberData, type PixelArray } from "./types.ts";

/** Bits per sample of an image pixserve writes. */
export type BitDepth = 8 | 16;

/** Every {@linkcode BitDepth}. */
export const BIT_DEPTHS: readonly BitDepth[] = [8, 16];

/**
 * The values of an array as 16-bit samples (see the module notes).
 *
 * @param array Any array.
 * @param clip For floats: NaN → 0 and values clipped to [0, 1] instead of refused.
 * @returns One sample per element, C order; a `uint16` array's own data.
 * @throws {CodecError} `unprocessable` `invalid_value` naming the first float out of range.
 * @example
 * toUint16({ shape: [2], dtype: "uint8", data: new Uint8Array([1, 255]) }, false);
 * // Uint16Array [257, 65535]
 */
export function toUint16(array: PixelArray, clip: boolean): Uint16Array {
  const src = numberData(array);
  if (array.dtype === "uint16") return src as Uint16Array;
  const out = new Uint16Array(src.length);
  if (array.dtype === "uint8") {
    for (let i = 0; i < src.length; i++) out[i] = src[i] * 257;
  } else if (array.dtype === "bool") {
    for (let i = 0; i < src.length; i++) out[i] = src[i] === 0 ? 0 : 65535;
  } else {
    const single = array.dtype === "float32";
    for (let i = 0; i < src.length; i++) {
      let v = src[i];
      if (!(v >= 0 && v <= 1)) {
        if (!clip) throw outOfRange(array, i);
        v = v > 1 ? 1 : 0;
      }
      out[i] = roundHalfEven(single ? Math.fround(v * 65535) : v * 65535);
    }
  }
  return out;
}

/** Options of {@linkcode arrayToChannels16}. */
export interface DeepChannelsOptions {
  /** `bgr` when 3 or 4 channels are B, G, R(, A). @default {"rgb"} */
  order?: ChannelOrder;
  /** Floats: map NaN to 0 and clip to [0, 1] instead of refusing. @default {false} */
  clip?: boolean;
  /** Largest image accepted, in pixels. @default {Infinity} */
  maxPixels?: number;
}

/**
 * The pixels of an array as 16-bit channels for the PNG encoder: gray, RGB or RGBA in the
 * channels the array has (BGR(A) reordered to RGB(A)), the samples' bytes in this
 * machine's order.
 *
 * @param array H×W, H×W×1, H×W×3 or H×W×4 of any dtype.
 * @param options Channel order, clipping, pixel limit.
 * @returns Width, height, channels, `bits: 16` and `width * height * channels * 2` bytes.
 * @throws {Unprocessable} `unsupported_shape` or `too_many_pixels`.
 * @throws {CodecError} `invalid_value` for a float out of range without `clip`.
 * @example
 * arrayToChannels16({ shape: [1, 1], dtype: "uint16", data: new Uint16Array([500]) }).bits; // 16
 */
export function arrayToChannels16(
  array: PixelArray,
  options: DeepChannelsOptions = {},
): ChannelPixels {
  const shape = imageShape(array.shape);
  checkPixels(shape.width, shape.height, options.maxPixels ?? Infinity);
  checkElementCount(array);
  let samples = toUint16(array, options.clip ?? false);
  const { width, height, channels } = shape;
  if (channels >= 3 && options.order === "bgr") samples = swapRedBlue(samples, channels);
  const data = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return { width, height, channels, data, bits: 16 };
}

/** A copy with the first and third channel of every pixel swapped. */
function swapRedBlue(samples: Uint16Array, channels: number): Uint16Array {
  const out = samples.slice();
  for (let i = 0; i < out.length; i += channels) {
    out[i] = samples[i + 2];
    out[i + 2] = samples[i];
  }
  return out;
}
