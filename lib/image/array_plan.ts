/**
 * What an array becomes before it is encoded, beyond one 8-bit channel-last image: bits per
 * channel, channel-first arrays, stacks of frames as animations (frame timing) or as grids,
 * and the display mapping of stacks. The settings are read from text, so that `POST /render`
 * (its query) and the client's local render (its flags) take the same values with the same
 * messages, and plan with the same functions.
 *
 * @module
 */

import { arrayToChannels } from "../arrays/convert.ts";
import { arrayToChannels16, type BitDepth } from "../arrays/bits.ts";
import {
  checkDisplay,
  type DisplayOptions,
  type DisplayRange,
  displayRange,
  expandIndexed,
  LABELS,
  mapDisplay,
} from "../arrays/display.ts";
import { type ChannelOrder, checkPixels } from "../arrays/layout.ts";
import {
  ARRAY_LAYOUTS,
  type ArrayLayout,
  checkStack,
  type GridOptions,
  gridSize,
  makeGrid,
  rangeFrames,
  splitFrames,
  toChannelLast,
} from "../arrays/stack.ts";
import type { PixelArray } from "../arrays/types.ts";
import { readChoice, readInteger, readNumber } from "../arrays/value_text.ts";
import { CodecError } from "../codec_error.ts";
import { type AnimationTiming, DEFAULT_TIMING } from "./animate.ts";
import { type ChannelPixels, toRgba } from "./encode.ts";
import type { ImageFormat } from "./format.ts";

/** The stack settings as text (absent when not given), and the two flags. */
export interface StackText {
  /** `hwc` or `chw`. */
  readonly layout?: string;
  /** `8` or `16`. */
  readonly bits?: string;
  /** A 3-D array is a stack of gray frames. */
  readonly frames?: boolean;
  /** Frames per second, 0.1 to 1000. */
  readonly fps?: string;
  /** Milliseconds per frame, 1 to 65535. */
  readonly duration?: string;
  /** Times played, 0 (forever) to 65535. */
  readonly loop?: string;
  /** Frames per row of a grid. */
  readonly grid?: string;
  /** Pixels between and around the frames of a grid, 0 to 1000. */
  readonly pad?: string;
  /** The padding's value, in the array's units. */
  readonly padValue?: string;
  /** Each frame stretched from its own minimum to its maximum. */
  readonly scaleEach?: boolean;
}

/** The stack settings, read. */
export interface StackSettings {
  /** Where the channel axis is. */
  readonly layout: ArrayLayout;
  /** The bits asked for; absent: 16 for `uint16` as PNG, else 8. */
  readonly bits?: BitDepth;
  /** A 3-D array is a stack of gray frames. */
  readonly frames: boolean;
  /** Each frame stretched from its own minimum to its maximum. */
  readonly scaleEach: boolean;
  /** Lay the frames out in one image, when given. */
  readonly grid?: GridOptions;
  /** Frame delay and loop count of an animation. */
  readonly timing: AnimationTiming;
}

/**
 * Reads the stack settings.
 *
 * @param text The settings as given.
 * @returns The settings.
 * @throws {CodecError} malformed `invalid_parameter` naming the setting: a value out of
 *   range or not a number, an unknown layout or bit depth, or both `fps` and `duration`.
 * @example
 * ```ts
 * import { parseStackText } from "./array_plan.ts";
 *
 * parseStackText({ fps: "5", grid: "3" }).grid; // { nrow: 3, padding: 2, padValue: 0 }
 * ```
 */
export function parseStackText(text: StackText): StackSettings {
  const layout = text.layout === undefined
    ? "hwc"
    : readChoice("layout", text.layout, ARRAY_LAYOUTS);
  const bits = text.bits === undefined ? undefined : readChoice("bits", text.bits, ["8", "16"]);
  const nrow = text.grid === undefined
    ? undefined
    : readInteger("grid", text.grid, 1, Number.MAX_SAFE_INTEGER);
  const padding = text.pad === undefined ? 2 : readInteger("pad", text.pad, 0, 1000);
  const padValue = text.padValue === undefined
    ? 0
    : readNumber("pad_value", text.padValue, -Infinity, Infinity);
  return {
    layout,
    bits: bits === undefined ? undefined : (Number(bits) as BitDepth),
    frames: text.frames ?? false,
    scaleEach: text.scaleEach ?? false,
    grid: nrow === undefined ? undefined : { nrow, padding, padValue },
    timing: timingOf(text),
  };
}

/** `fps` or `duration` (not both), and `loop`. */
function timingOf(text: StackText): AnimationTiming {
  const fps = text.fps === undefined ? undefined : readNumber("fps", text.fps, 0.1, 1000);
  const duration = text.duration === undefined
    ? undefined
    : readInteger("duration", text.duration, 1, 65535);
  const loop = text.loop === undefined
    ? DEFAULT_TIMING.loop
    : readInteger("loop", text.loop, 0, 65535);
  if (fps !== undefined && duration !== undefined) {
    throw new CodecError("malformed", "invalid_parameter", "give fps or duration, not both");
  }
  if (duration !== undefined) return { delayNumerator: duration, delayDenominator: 1000, loop };
  if (fps === undefined) return { ...DEFAULT_TIMING, loop };
  return Number.isInteger(fps)
    ? { delayNumerator: 1, delayDenominator: fps, loop }
    : { delayNumerator: Math.round(1000 / fps), delayDenominator: 1000, loop };
}

/** The limits and choices a plan is made with. */
export interface RenderPlanOptions {
  /** Channel order of 3- and 4-channel arrays. */
  readonly order: ChannelOrder;
  /** Floats: clip instead of refusing. */
  readonly clip: boolean;
  /** The largest frames × height × width (the server's `MAX_PIXELS`). */
  readonly maxPixels: number;
  /** The most frames of a stack (the server's `MAX_FRAMES`). */
  readonly maxFrames: number;
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
 * Turns an array into the pixels an encoder takes: one image, a stack laid out as a grid,
 * or a stack's frames as an animation with its timing.
 *
 * @param array The array as given.
 * @param format The target format.
 * @param settings The stack settings ({@linkcode parseStackText}).
 * @param options Channel order, clipping and limits.
 * @returns The pixels (8- or 16-bit, one image or an animation's frames) and timing.
 * @throws {CodecError} unprocessable: `unsupported_bit_depth`, `unsupported_animation`,
 *   `unsupported_shape`, `too_many_frames`, `too_many_pixels`, `invalid_pad_value`, and the
 *   default mapping's `unsupported_dtype` and `invalid_value`.
 * @example
 * ```ts
 * import { parseStackText, planRender } from "./array_plan.ts";
 *
 * const array = { shape: [2, 1, 1, 3], dtype: "uint8" as const, data: new Uint8Array(6) };
 * const options = { order: "rgb" as const, clip: false, maxPixels: 100, maxFrames: 10 };
 * const plan = planRender(array, "gif", parseStackText({ fps: "5" }), options);
 * console.log(plan.pixels.frames, plan.timing?.delayDenominator); // 2 5
 * ```
 */
export function planRender(
  array: PixelArray,
  format: ImageFormat,
  settings: StackSettings,
  options: RenderPlanOptions,
): RenderPlan {
  if (settings.bits === 16 && format !== "png") {
    throw new CodecError(
      "unprocessable",
      "unsupported_bit_depth",
      `${format} holds 8 bits per channel; ask for png with ?bits=16, or drop ?bits`,
    );
  }
  const channelLast = toChannelLast(array, settings.layout);
  const stack = splitFrames(channelLast, settings.frames);
  const bitsFor = (a: PixelArray): BitDepth =>
    settings.bits ?? (format === "png" && a.dtype === "uint16" ? 16 : 8);
  if (stack === undefined) {
    return { pixels: channelsOf(channelLast, bitsFor(channelLast), options) };
  }
  checkStack(channelLast.shape, options.maxFrames, options.maxPixels);
  const frames = rangeFrames(stack, { scaleEach: settings.scaleEach });
  if (settings.grid !== undefined) {
    const [h, w] = channelLast.shape.slice(1, 3);
    const [gridHeight, gridWidth] = gridSize(frames.length, h, w, settings.grid);
    checkPixels(gridWidth, gridHeight, options.maxPixels);
    const grid = makeGrid(frames, settings.grid);
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
  return {
    pixels: { width, height, channels, data, bits, frames: frames.length },
    timing: settings.timing,
  };
}

function channelsOf(array: PixelArray, bits: BitDepth, options: RenderPlanOptions): ChannelPixels {
  return bits === 16 ? arrayToChannels16(array, options) : arrayToChannels(array, options);
}

/** What the display mapping gets from {@linkcode planDisplayStack}. */
export type DisplayStack =
  | {
    /** One image, channel-last, for the display mapping to map. */
    readonly single: PixelArray;
    readonly mapped?: undefined;
  }
  | {
    readonly single?: undefined;
    /** The stack mapped: (N, H, W, 4) `uint8`. */
    readonly mapped: PixelArray;
    /** The settings {@linkcode planRender} then takes (layout, frames, scaleEach applied). */
    readonly settings: StackSettings;
    /** The one range of every frame; absent for labels and with `scaleEach`. */
    readonly range?: DisplayRange;
  };

/**
 * Prepares an array for the display mapping (`cmap`, `vmin`, `vmax`). One image comes back
 * channel-last, to be mapped where it is encoded. A stack is mapped here, frame by frame,
 * with one range for all frames (or one per frame with `scaleEach`, as make_grid's
 * `scale_each`), into an (N, H, W, 4) `uint8` stack, with the settings
 * {@linkcode planRender} then takes.
 *
 * @param array The array as given.
 * @param display The display mapping.
 * @param settings The stack settings (`layout`, `frames`, `scaleEach` are read here).
 * @param options Channel order and limits.
 * @returns The one image, or the mapped stack, its range and the settings for
 *   {@linkcode planRender}.
 * @throws {CodecError} As {@linkcode planRender} and the display mapping do.
 * @example
 * ```ts
 * import { parseStackText, planDisplayStack } from "./array_plan.ts";
 *
 * const data = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]);
 * const stack = planDisplayStack(
 *   { shape: [2, 2, 2], dtype: "float32", data },
 *   { cmap: "viridis" },
 *   parseStackText({ frames: true }),
 *   { order: "rgb", clip: false, maxPixels: 100, maxFrames: 10 },
 * );
 * console.log(stack.mapped?.shape); // [2, 2, 2, 4]
 * ```
 */
export function planDisplayStack(
  array: PixelArray,
  display: DisplayOptions,
  settings: StackSettings,
  options: RenderPlanOptions,
): DisplayStack {
  const channelLast = toChannelLast(array, settings.layout);
  const frames = splitFrames(channelLast, settings.frames);
  if (frames === undefined) return { single: channelLast };
  checkStack(channelLast.shape, options.maxFrames, options.maxPixels);
  const { height, width } = checkDisplay(frames[0].shape, frames[0].dtype, display);
  const labels = display.cmap === LABELS;
  const shared = labels || settings.scaleEach ? undefined : displayRange(frames, display);
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
  return {
    mapped: { shape: [frames.length, height, width, 4], dtype: "uint8", data: out },
    settings: { ...settings, layout: "hwc", frames: false, scaleEach: false },
    range: shared,
  };
}
