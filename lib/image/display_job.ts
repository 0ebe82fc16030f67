/**
 * The display mapping as an encode worker runs it: the array's element bytes and the
 * mapping's options arrive with the job, the range (percentiles included) and the colours
 * are computed on the worker's thread, then the pixels are encoded there, so that no
 * mapping work runs on the event loop that serves requests.
 *
 * @module
 */

import { type DisplayOptions, expandIndexed, renderDisplay } from "../arrays/display.ts";
import type { ChannelOrder } from "../arrays/layout.ts";
import { type Dtype, elementCount, ITEM_SIZES, viewStorage } from "../arrays/types.ts";
import { encodeChannelPixels } from "./animate.ts";
import { type EncodeOptions, encodePixels } from "./encode.ts";
import type { ImageFormat } from "./format.ts";
import { encodeIndexedPng } from "./png_indexed.ts";

/** What a job carries besides the element bytes. */
export interface DisplayJob {
  /** The array's shape. */
  readonly shape: readonly number[];
  /** The array's dtype. */
  readonly dtype: Dtype;
  /** The mapping. */
  readonly options: DisplayOptions;
  /** Channel order of a rescaled 3- or 4-channel array. */
  readonly order: ChannelOrder;
}

/**
 * Maps an array for display and encodes it: labels as an indexed PNG when they fit a
 * palette, everything else through the usual encoder.
 *
 * @param data The element bytes, native byte order, aligned to the item size.
 * @param job Shape, dtype, mapping and channel order.
 * @param format The target format.
 * @param options Quality and encoder backend.
 * @returns The encoded image.
 * @throws {CodecError} From the mapping (a range, a value beyond ±2^53).
 * @example
 * const png = await encodeDisplay(new Uint8Array(new Float32Array([0, 1]).buffer),
 *   { shape: [1, 2], dtype: "float32", options: { cmap: "viridis" }, order: "rgb" }, "png");
 */
export async function encodeDisplay(
  data: Uint8Array,
  job: DisplayJob,
  format: ImageFormat,
  options: EncodeOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const count = elementCount(job.shape);
  if (data.byteLength !== count * ITEM_SIZES[job.dtype]) {
    throw new RangeError(`the array needs ${count * ITEM_SIZES[job.dtype]} bytes`);
  }
  const values = viewStorage(job.dtype, data.buffer, data.byteOffset, count);
  const pixels = renderDisplay({ shape: job.shape, dtype: job.dtype, data: values }, job.options);
  const { width, height } = pixels;
  if (pixels.kind === "indexed") {
    if (format === "png") return encodeIndexedPng(pixels.indices, width, height, pixels.palette);
    return await encodePixels({ width, height, rgba: expandIndexed(pixels) }, format, options);
  }
  if (job.order === "bgr" && pixels.channels > 1) swapRedBlue(pixels.data, pixels.channels);
  return await encodeChannelPixels(pixels, format, options);
}

function swapRedBlue(data: Uint8Array, channels: number): void {
  for (let i = 0; i < data.length; i += channels) {
    const r = data[i + 2];
    data[i + 2] = data[i];
    data[i] = r;
  }
}
