/**
 * What `POST /render.{fmt}` makes of an array beyond one 8-bit channel-last image:
 * `?bits=`, `?layout=chw`, stacks (`?frames`, 4-D arrays) as animations (`?fps=`,
 * `?duration=`, `?loop=`) or grids (`?grid=`, `?pad=`, `?pad_value=`), and `?scale_each`.
 *
 * @module
 */

import { arrayToChannels } from "../arrays/convert.ts";
import {
  checkDisplay,
  type DisplayOptions,
  displayRange,
  expandIndexed,
  LABELS,
  mapDisplay,
} from "../arrays/display.ts";
import { arrayToChannels16, type BitDepth } from "../arrays/bits.ts";
import { type ChannelOrder, checkPixels } from "../arrays/layout.ts";
import {
  ARRAY_LAYOUTS,
  checkStack,
  gridSize,
  makeGrid,
  rangeFrames,
  splitFrames,
  toChannelLast,
} from "../arrays/stack.ts";
import type { PixelArray } from "../arrays/types.ts";
import { CodecError } from "../codec_error.ts";
import { BadRequest } from "../errors.ts";
import { choiceParam, flagParam, intParam } from "../http/params.ts";
import { type AnimationTiming, DEFAULT_TIMING } from "../image/animate.ts";
import { type ChannelPixels, toRgba } from "../image/encode.ts";
import type { ImageFormat } from "../image/format.ts";
import type { QueryParam } from "../router.ts";

/** The query parameters {@linkcode renderPlan} reads. */
export const DIMENSION_PARAMS: readonly QueryParam[] = [
  {
    name: "bits",
    type: "string",
    enum: ["8", "16"],
    description:
      "bits per channel; default 16 for a uint16 array as PNG, else 8 (PNG alone holds 16)",
  },
  {
    name: "layout",
    type: "string",
    enum: ARRAY_LAYOUTS,
    description: "hwc (channel-last, default) or chw: (C, H, W) and (N, C, H, W) as PyTorch writes",
  },
  {
    name: "frames",
    type: "boolean",
    description: "a 3-D array is a stack (N, H, W) of gray frames",
  },
  {
    name: "fps",
    type: "number",
    minimum: 0.1,
    maximum: 1000,
    description: "animations: frames per second (default 10)",
  },
  {
    name: "duration",
    type: "integer",
    minimum: 1,
    maximum: 65535,
    description: "animations: milliseconds per frame, instead of fps",
  },
  {
    name: "loop",
    type: "integer",
    minimum: 0,
    maximum: 65535,
    description: "animations: times played, 0 forever (default)",
  },
  {
    name: "grid",
    type: "integer",
    minimum: 1,
    description: "stacks: one image, this many frames per row (make_grid's nrow)",
  },
  {
    name: "pad",
    type: "integer",
    minimum: 0,
    maximum: 1000,
    description: "grids: pixels between and around frames (default 2)",
  },
  {
    name: "pad_value",
    type: "number",
    description: "grids: the padding's value in the array's units (default 0)",
  },
  {
    name: "scale_each",
    type: "boolean",
    description: "stacks: stretch each frame from its own minimum to maximum, not one range",
  },
];

/** The limits and choices a plan is made with. */
export interface RenderPlanOptions {
  /** Channel order of 3- and 4-channel arrays. */
  order: ChannelOrder;
  /** Floats: clip instead of refusing. */
  clip: boolean;
  /** `MAX_PIXELS`. */
  maxPixels: number;
  /** `MAX_FRAMES`. */
  maxFrames: number;
}

/** The pixels to encode, and the timing when they are an animation. */
export interface RenderPlan {
  /** One image, or `frames` of them. */
  readonly pixels: ChannelPixels;
  /** Frame delay and loop count of an animation. */
  readonly timing?: AnimationTiming;
}

const ANIMATED: ReadonlySet<ImageFormat> = new Set(["gif", "webp", "png"]);

/**
 * Turns a parsed array into the pixels an encoder takes, following the request's query.
 *
 * @param array The array as sent.
 * @param format The target format.
 * @param url The request URL.
 * @param options Channel order, clipping and limits.
 * @returns The pixels (8- or 16-bit, one image or an animation's frames) and timing.
 * @throws {BadRequest} A malformed or contradictory parameter.
 * @throws {CodecError} `unsupported_bit_depth`, `unsupported_animation`, `unsupported_shape`,
 *   `too_many_frames`, `too_many_pixels`, `invalid_pad_value` (422s).
 * @example
 * const plan = renderPlan(array, "gif", new URL("http://x/render.gif?fps=5"), options);
 */
export function renderPlan(
  array: PixelArray,
  format: ImageFormat,
  url: URL,
  options: RenderPlanOptions,
): RenderPlan {
  const layout = choiceParam(url, "layout", ARRAY_LAYOUTS) ?? "hwc";
  const askedBits = choiceParam(url, "bits", ["8", "16"]);
  if (askedBits === "16" && format !== "png") {
    throw new CodecError(
      "unprocessable",
      "unsupported_bit_depth",
      `${format} holds 8 bits per channel; ask for png with ?bits=16, or drop ?bits`,
    );
  }
  const nrow = intParam(url, "grid", 1, Number.MAX_SAFE_INTEGER);
  const padding = intParam(url, "pad", 0, 1000);
  const padValue = numberParam(url, "pad_value", -Infinity, Infinity);
  const timing = timingOf(url);
  const channelLast = toChannelLast(array, layout);
  const stack = splitFrames(channelLast, flagParam(url, "frames"));
  const bitsFor = (a: PixelArray): BitDepth =>
    askedBits !== undefined
      ? (Number(askedBits) as BitDepth)
      : format === "png" && a.dtype === "uint16"
      ? 16
      : 8;
  if (stack === undefined) {
    return { pixels: channelsOf(channelLast, bitsFor(channelLast), options) };
  }
  checkStack(channelLast.shape, options.maxFrames, options.maxPixels);
  const frames = rangeFrames(stack, { scaleEach: flagParam(url, "scale_each") });
  if (nrow !== undefined) {
    const [h, w] = channelLast.shape.slice(1, 3);
    const [gridHeight, gridWidth] = gridSize(frames.length, h, w, { nrow, padding });
    checkPixels(gridWidth, gridHeight, options.maxPixels);
    const grid = makeGrid(frames, { nrow, padding, padValue });
    return { pixels: channelsOf(grid, bitsFor(grid), options) };
  }
  if (!ANIMATED.has(format)) {
    throw new CodecError(
      "unprocessable",
      "unsupported_animation",
      `${format} cannot hold an animation of ${frames.length} frames; ask for gif, webp or ` +
        `png (APNG), or lay the frames out in one image with ?grid=COLS`,
    );
  }
  const bits = bitsFor(frames[0]);
  const each = frames.map((frame) => channelsOf(frame, bits, options));
  const data = new Uint8Array(each.reduce((n, p) => n + p.data.byteLength, 0));
  let at = 0;
  for (const p of each) {
    data.set(p.data, at);
    at += p.data.byteLength;
  }
  const { width, height, channels } = each[0];
  return { pixels: { width, height, channels, data, bits, frames: frames.length }, timing };
}

function channelsOf(array: PixelArray, bits: BitDepth, options: RenderPlanOptions): ChannelPixels {
  return bits === 16 ? arrayToChannels16(array, options) : arrayToChannels(array, options);
}

/** `?fps=` or `?duration=` (not both), and `?loop=`. */
function timingOf(url: URL): AnimationTiming {
  const fps = numberParam(url, "fps", 0.1, 1000);
  const duration = intParam(url, "duration", 1, 65535);
  const loop = intParam(url, "loop", 0, 65535) ?? DEFAULT_TIMING.loop;
  if (fps !== undefined && duration !== undefined) {
    throw new BadRequest("invalid_parameter", "give fps or duration, not both");
  }
  if (duration !== undefined) return { delayNumerator: duration, delayDenominator: 1000, loop };
  if (fps === undefined) return { ...DEFAULT_TIMING, loop };
  return Number.isInteger(fps)
    ? { delayNumerator: 1, delayDenominator: fps, loop }
    : { delayNumerator: Math.round(1000 / fps), delayDenominator: 1000, loop };
}

/** A finite number within bounds, or `undefined` when absent. */
function numberParam(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const n = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    const range = Number.isFinite(min) ? ` from ${min} to ${max}` : "";
    throw new BadRequest(
      "invalid_parameter",
      `${name} must be a number${range}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** What the display mapping gets from {@linkcode displayStack}. */
export type DisplayStack =
  | { readonly single: PixelArray; readonly mapped?: undefined; readonly url: URL }
  | { readonly mapped: PixelArray; readonly single?: undefined; readonly url: URL };

/**
 * Prepares an array for the display mapping (`?cmap`, `?vmin`, `?vmax`). One image comes back
 * channel-last, to be mapped on an encode worker. A stack is mapped here, frame by frame, with
 * one range for all frames (or one per frame with `?scale_each`, as make_grid's
 * `scale_each`), into an (N, H, W, 4) `uint8` stack, with the URL {@linkcode renderPlan} then
 * reads (its layout, frames and scale_each already applied).
 *
 * @param array The array as sent.
 * @param url The request URL (`layout`, `frames`, `scale_each`).
 * @param display The display mapping.
 * @param options Channel order and limits.
 * @returns The one image, or the mapped stack and the URL for {@linkcode renderPlan}.
 * @throws {CodecError} As {@linkcode renderPlan} and the display mapping do.
 * @example
 * ```ts
 * import { displayStack } from "./render_plan.ts";
 *
 * const data = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]);
 * const stack = displayStack(
 *   { shape: [2, 2, 2], dtype: "float32", data },
 *   new URL("http://x/render.gif?frames&cmap=viridis"),
 *   { cmap: "viridis" },
 *   { order: "rgb", clip: false, maxPixels: 100, maxFrames: 10 },
 * );
 * console.log(stack.mapped?.shape); // [2, 2, 2, 4]
 * ```
 */
export function displayStack(
  array: PixelArray,
  url: URL,
  display: DisplayOptions,
  options: RenderPlanOptions,
): DisplayStack {
  const layout = choiceParam(url, "layout", ARRAY_LAYOUTS) ?? "hwc";
  const channelLast = toChannelLast(array, layout);
  const frames = splitFrames(channelLast, flagParam(url, "frames"));
  if (frames === undefined) return { single: channelLast, url };
  checkStack(channelLast.shape, options.maxFrames, options.maxPixels);
  const { height, width } = checkDisplay(frames[0].shape, frames[0].dtype, display);
  const labels = display.cmap === LABELS;
  const scaleEach = flagParam(url, "scale_each");
  const shared = labels || scaleEach ? undefined : displayRange(frames, display);
  const size = height * width * 4;
  const out = new Uint8Array(frames.length * size);
  frames.forEach((frame, k) => {
    const range = labels ? { vmin: NaN, vmax: NaN } : shared ?? displayRange([frame], display);
    const shown = mapDisplay(frame, range, display);
    const rgba = shown.kind === "indexed"
      ? expandIndexed(shown)
      : toRgba({ width, height, channels: shown.channels, data: shown.data }).rgba;
    out.set(rgba, k * size);
    if (options.order === "bgr" && shown.kind === "channels" && shown.channels > 1) {
      for (let i = k * size; i < (k + 1) * size; i += 4) {
        const red = out[i];
        out[i] = out[i + 2];
        out[i + 2] = red;
      }
    }
  });
  const next = new URL(url);
  for (const name of ["layout", "frames", "scale_each"]) next.searchParams.delete(name);
  return {
    mapped: { shape: [frames.length, height, width, 4], dtype: "uint8", data: out },
    url: next,
  };
}
