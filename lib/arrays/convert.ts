/**
 * Arrays to ImageScript images and back, for any `Deno.serve` handler.
 *
 * @module
 */

import { Image } from "imagescript";
import {
  type ArrayMode,
  type ChannelOrder,
  checkElementCount,
  checkPixels,
  expandToRgba,
  imageShape,
  isOpaque,
  rgbaToArray,
  toUint8,
} from "./layout.ts";
import type { ChannelPixels } from "../image/encode.ts";
import type { PixelArray } from "./types.ts";

/** Options of {@linkcode arrayToImage}. */
export interface ArrayToImageOptions {
  /** `bgr` when 3 or 4 channels are B, G, R(, A), as OpenCV keeps them. @default {"rgb"} */
  order?: ChannelOrder;
  /** Floats: map NaN to 0 and clip to [0, 1] instead of refusing. @default {false} */
  clip?: boolean;
  /** Largest image accepted, in pixels. @default {Infinity} */
  maxPixels?: number;
}

/**
 * Builds an image from an array: H×W or H×W×1 (gray), H×W×3 (RGB), H×W×4 (RGBA),
 * of uint8, bool, uint16, float32 or float64 (scaled to 8 bits as `layout.ts` documents).
 *
 * @param array The pixels.
 * @param options Channel order, clipping, pixel limit.
 * @returns An ImageScript image, ready for `encodeImage` or `imageResponse`.
 * @throws {CodecError} unprocessable: `unsupported_shape`, `too_many_pixels`, or `invalid_value`
 *   for a float that is NaN or outside [0, 1] without `clip`.
 * @example
 * ```ts
 * import { imageResponse } from "../responses.ts";
 * import { arrayToImage } from "./convert.ts";
 *
 * const data = new Uint8Array(64 * 64 * 3).fill(255); // white
 * const image = arrayToImage({ shape: [64, 64, 3], dtype: "uint8", data });
 * const res = await imageResponse(image, { format: "png" });
 * console.log(res.headers.get("content-type")); // "image/png"
 * ```
 */
export function arrayToImage(array: PixelArray, options: ArrayToImageOptions = {}): Image {
  const shape = imageShape(array.shape);
  checkPixels(shape.width, shape.height, options.maxPixels ?? Infinity);
  checkElementCount(array);
  const image = new Image(shape.width, shape.height);
  expandToRgba(toUint8(array, options.clip ?? false), shape, options.order ?? "rgb", image.bitmap);
  return image;
}

/**
 * The pixels of an array as 8-bit channels for an encoder: gray or RGB(A) `uint8` data is
 * passed as it is (the encoder expands it, off the event loop); other dtypes are scaled to
 * 8 bits and BGR(A) reordered, as {@linkcode arrayToImage} does.
 *
 * @param array The pixels.
 * @param options Channel order, clipping, pixel limit.
 * @returns Width, height, channels (1, 3 or 4) and bytes.
 * @throws {CodecError} unprocessable: As {@linkcode arrayToImage}.
 * @example
 * ```ts
 * import { arrayToChannels } from "./convert.ts";
 *
 * arrayToChannels({ shape: [2, 2], dtype: "uint8", data: new Uint8Array(4) }).channels; // 1
 * ```
 */
export function arrayToChannels(
  array: PixelArray,
  options: ArrayToImageOptions = {},
): ChannelPixels {
  const shape = imageShape(array.shape);
  checkPixels(shape.width, shape.height, options.maxPixels ?? Infinity);
  checkElementCount(array);
  const values = toUint8(array, options.clip ?? false);
  const { width, height, channels } = shape;
  if (channels === 1 || (options.order ?? "rgb") === "rgb") {
    return { width, height, channels, data: values };
  }
  const rgba = new Uint8Array(width * height * 4);
  expandToRgba(values, shape, "bgr", rgba);
  return { width, height, channels: 4, data: rgba };
}

/** Options of {@linkcode imageToArray}. */
export interface ImageToArrayOptions {
  /**
   * `gray` (H×W, BT.601 luma), `rgb` (H×W×3) or `rgba` (H×W×4).
   * @default {"rgba" when any pixel is not opaque, else "rgb"}
   */
  mode?: ArrayMode;
  /** `bgr` for OpenCV's B, G, R(, A); no effect on gray. @default {"rgb"} */
  order?: ChannelOrder;
}

/**
 * The pixels of an image as a `uint8` array, what `np.asarray(Image.open(f))` gives.
 *
 * @param image Any ImageScript image (a decoded PNG, JPEG, GIF frame or TIFF).
 * @param options Mode and channel order.
 * @returns The array, C order.
 * @example
 * ```ts
 * import { sampleImage } from "../image/sample.ts";
 * import { imageToArray } from "./convert.ts";
 * import { encodeNpy } from "./npy.ts";
 *
 * const array = imageToArray(sampleImage());
 * console.log(array.shape); // [512, 512, 3]
 * const npy = encodeNpy(array); // what np.save writes for it
 * ```
 */
export function imageToArray(image: Image, options: ImageToArrayOptions = {}): PixelArray {
  const mode = options.mode ?? (isOpaque(image.bitmap) ? "rgb" : "rgba");
  return rgbaToArray(image.bitmap, image.width, image.height, mode, options.order ?? "rgb");
}
