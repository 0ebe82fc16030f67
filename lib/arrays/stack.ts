/**
 * Dimensions beyond one channel-last image: channel-first arrays as PyTorch writes them,
 * stacks of frames, and frames laid out in a grid exactly as `torchvision.utils.make_grid`
 * lays them out.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import { allocate, elementCount, formatShape, numberData, type PixelArray } from "./types.ts";

/** Where the channel axis is: last (NumPy, OpenCV, PIL) or before height (PyTorch). */
export type ArrayLayout = "hwc" | "chw";

/** Every {@linkcode ArrayLayout}. */
export const ARRAY_LAYOUTS: readonly ArrayLayout[] = ["hwc", "chw"];

/**
 * A channel-first array made channel-last: (C, H, W) → (H, W, C) and (N, C, H, W) →
 * (N, H, W, C); with `hwc`, the array itself.
 *
 * @param array The array.
 * @param layout Where its channel axis is.
 * @returns The array with the channel axis last.
 * @throws {CodecError} `unprocessable` `unsupported_shape` when the array is not 3-D or
 *   4-D with 1, 3 or 4 channels at the channel axis.
 * @example
 * toChannelLast({ shape: [3, 1, 2], dtype: "uint8", data: new Uint8Array(6) }, "chw").shape;
 * // [1, 2, 3]
 */
export function toChannelLast(array: PixelArray, layout: ArrayLayout): PixelArray {
  if (layout === "hwc") return array;
  const { shape } = array;
  const c = shape.length === 3 ? shape[0] : shape.length === 4 ? shape[1] : 0;
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new CodecError(
      "unprocessable",
      "unsupported_shape",
      `shape ${formatShape(shape)} is not channel-first; with ?layout=chw send (C, H, W) or ` +
        `(N, C, H, W) with C = 1, 3 or 4`,
    );
  }
  const n = shape.length === 4 ? shape[0] : 1;
  const [h, w] = shape.slice(-2);
  const plane = h * w;
  const src = array.data;
  const out = allocate(array.dtype, src.length);
  for (let f = 0; f < n; f++) {
    const base = f * plane * c;
    for (let ch = 0; ch < c; ch++) {
      const from = base + ch * plane;
      for (let p = 0, o = base + ch; p < plane; p++, o += c) out[o] = src[from + p];
    }
  }
  const last = shape.length === 4 ? [n, h, w, c] : [h, w, c];
  return { shape: last, dtype: array.dtype, data: out };
}

/**
 * The frames of a stack: (N, H, W, C) always, (N, H, W) when `gray` says a 3-D array is
 * a stack of gray frames rather than one image.
 *
 * @param array The array, channel-last.
 * @param gray Whether a 3-D array is N gray frames (`?frames`).
 * @returns One view per frame, or `undefined` when the array is one image.
 * @throws {CodecError} `unprocessable` `unsupported_shape` for a stack of no frames.
 * @example
 * splitFrames({ shape: [2, 1, 1, 3], dtype: "uint8", data: new Uint8Array(6) }, false)?.length;
 * // 2
 */
export function splitFrames(array: PixelArray, gray: boolean): PixelArray[] | undefined {
  const { shape } = array;
  if (!(shape.length === 4 || (shape.length === 3 && gray))) return undefined;
  if (shape[0] === 0) {
    throw new CodecError(
      "unprocessable",
      "unsupported_shape",
      `shape ${formatShape(shape)} holds no frames`,
    );
  }
  const frameShape = shape.slice(1);
  const size = elementCount(frameShape);
  const frames: PixelArray[] = [];
  for (let f = 0; f < shape[0]; f++) {
    const data = array.data.subarray(f * size, (f + 1) * size) as PixelArray["data"];
    frames.push({ shape: frameShape, dtype: array.dtype, data });
  }
  return frames;
}

/**
 * Checks a stack against the frame and pixel limits.
 *
 * @param shape The stack's shape, frames first.
 * @param maxFrames The largest number of frames.
 * @param maxPixels The largest frames × height × width.
 * @throws {CodecError} `unprocessable` `too_many_frames` or `too_many_pixels`, naming the limit.
 * @example
 * checkStack([10, 64, 64, 3], 1000, 40_000_000);
 */
export function checkStack(shape: readonly number[], maxFrames: number, maxPixels: number): void {
  const [n, h, w] = shape;
  if (n > maxFrames) {
    throw new CodecError(
      "unprocessable",
      "too_many_frames",
      `the stack has ${n} frames, more than MAX_FRAMES (${maxFrames})`,
    );
  }
  if (n * h * w > maxPixels) {
    throw new CodecError(
      "unprocessable",
      "too_many_pixels",
      `${n} frames of ${w}x${h} are ${n * h * w} pixels, more than MAX_PIXELS (${maxPixels})`,
    );
  }
}

/** Options of {@linkcode rangeFrames}. */
export interface FrameRangeOptions {
  /** One range per frame (its own minimum to maximum) instead of one for all. */
  scaleEach?: boolean;
}

/**
 * The value range step of a stack: one range for every frame (the dtype's own fixed
 * mapping), or with `scaleEach` each frame stretched from its own minimum to its maximum,
 * as `make_grid(normalize=True, scale_each=True)` does: `(v - min) / max(max - min, 1e-5)`.
 *
 * @param frames The frames.
 * @param options Whether each frame gets its own range.
 * @returns The frames unchanged, or as `float32` in [0, 1].
 * @example
 * rangeFrames([{ shape: [2], dtype: "uint8", data: new Uint8Array([10, 20]) }], { scaleEach: true })[0]
 *   .data; // Float32Array [0, 1]
 */
export function rangeFrames(
  frames: readonly PixelArray[],
  options: FrameRangeOptions = {},
): PixelArray[] {
  if (options.scaleEach !== true) return [...frames];
  return frames.map((frame) => {
    let min = Infinity;
    let max = -Infinity;
    const values = numberData(frame);
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const scale = Math.max(max - min, 1e-5);
    const data = new Float32Array(values.length);
    for (let i = 0; i < data.length; i++) data[i] = (values[i] - min) / scale;
    return { shape: frame.shape, dtype: "float32" as const, data };
  });
}

/** Options of {@linkcode makeGrid}: `make_grid`'s names and defaults. */
export interface GridOptions {
  /** Frames per row. */
  nrow: number;
  /** Pixels between frames and around them. @default {2} */
  padding?: number;
  /** The value of the padding, in the frames' own units. @default {0} */
  padValue?: number;
}

/**
 * The height and width of the canvas {@linkcode makeGrid} lays `n` frames out on, known
 * before anything is allocated (a single frame is its own size).
 *
 * @param n Frames.
 * @param height Rows of a frame.
 * @param width Columns of a frame.
 * @param options Frames per row and padding.
 * @returns `[height, width]` of the grid.
 * @example
 * gridSize(2, 1, 1, { nrow: 2 }); // [5, 8]
 */
export function gridSize(
  n: number,
  height: number,
  width: number,
  options: GridOptions,
): [number, number] {
  if (n === 1) return [height, width];
  const padding = options.padding ?? 2;
  const xmaps = Math.min(options.nrow, n);
  const ymaps = Math.ceil(n / xmaps);
  return [ymaps * (height + padding) + padding, xmaps * (width + padding) + padding];
}

/**
 * Lays frames out row-major on one canvas, exactly as `torchvision.utils.make_grid`:
 * `xmaps = min(nrow, n)` columns, `ymaps = ceil(n / xmaps)` rows, a canvas of
 * `ymaps * (H + padding) + padding` × `xmaps * (W + padding) + padding` filled with
 * `padValue`, frame `k` at row `floor(k / xmaps) * (H + padding) + padding` and column
 * `(k % xmaps) * (W + padding) + padding`. A single frame is returned as it is, without
 * padding, as `make_grid` does. Gray frames stay one channel (`make_grid` repeats them
 * into three equal ones, which encode to the same image).
 *
 * @param frames Frames of one shape (H×W or H×W×C) and dtype.
 * @param options Frames per row, padding and its value.
 * @returns One image.
 * @throws {CodecError} `unprocessable` `invalid_pad_value` when the value does not fit
 *   the dtype.
 * @example
 * const f = { shape: [1, 1], dtype: "uint8" as const, data: new Uint8Array([9]) };
 * makeGrid([f, f], { nrow: 2 }).shape; // [5, 8]
 */
export function makeGrid(frames: readonly PixelArray[], options: GridOptions): PixelArray {
  if (frames.length === 1) return frames[0];
  const { dtype, shape } = frames[0];
  const padding = options.padding ?? 2;
  const padValue = checkPadValue(options.padValue ?? 0, dtype);
  const [h, w] = shape;
  const c = shape.length === 3 ? shape[2] : 1;
  const xmaps = Math.min(options.nrow, frames.length);
  const ymaps = Math.ceil(frames.length / xmaps);
  const height = ymaps * (h + padding) + padding;
  const width = xmaps * (w + padding) + padding;
  const data = numberData({ shape, dtype, data: allocate(dtype, height * width * c) });
  data.fill(padValue);
  const row = w * c;
  frames.forEach((frame, k) => {
    const top = Math.floor(k / xmaps) * (h + padding) + padding;
    const left = (k % xmaps) * (w + padding) + padding;
    for (let y = 0; y < h; y++) {
      const line = numberData(frame).subarray(y * row, (y + 1) * row);
      data.set(line, ((top + y) * width + left) * c);
    }
  });
  return { shape: shape.length === 3 ? [height, width, c] : [height, width], dtype, data };
}

/** The pad value as the dtype stores it. */
function checkPadValue(value: number, dtype: PixelArray["dtype"]): number {
  const range: Partial<Record<PixelArray["dtype"], [number, number]>> = {
    uint8: [0, 255],
    uint16: [0, 65535],
    bool: [0, 1],
  };
  const bounds = range[dtype];
  if (bounds === undefined) return value;
  if (!Number.isInteger(value) || value < bounds[0] || value > bounds[1]) {
    throw new CodecError(
      "unprocessable",
      "invalid_pad_value",
      `pad_value ${value} does not fit ${dtype}: give an integer from ${bounds[0]} to ` +
        `${bounds[1]}`,
    );
  }
  return value;
}
