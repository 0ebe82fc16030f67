/**
 * Encoders for what 8-bit RGBA cannot carry: a 16-bit PNG, and frame stacks as
 * animations: APNG (pixserve's own writer, 8 or 16 bits, exact), GIF (pixserve's own exact
 * writer when every frame has at most 256 colours, else libvips' quantizer through sharp)
 * and animated WebP (libwebp through sharp; lossless unless a quality is given).
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import { releaseBuffer } from "../chunks.ts";
import {
  type ChannelPixels,
  checkQuality,
  checkSize,
  type EncodeOptions,
  encodePixels,
  loadSharp,
  toRgba,
} from "./encode.ts";
import type { ImageFormat } from "./format.ts";
import { encodeGifFrames, type GifPalette, gifPalette } from "./gif.ts";
import { encodeApng, encodePng16, encodePngChannels } from "./png.ts";

/** How long each frame shows, as a fraction of a second, and how often the animation plays. */
export interface AnimationTiming {
  /** Each frame's delay is `delayNumerator / delayDenominator` seconds. */
  readonly delayNumerator: number;
  /** See `delayNumerator`. */
  readonly delayDenominator: number;
  /** Times the animation plays; 0 forever. */
  readonly loop: number;
}

/** Ten frames a second, forever: the timing when none is asked. */
export const DEFAULT_TIMING: AnimationTiming = { delayNumerator: 1, delayDenominator: 10, loop: 0 };

/**
 * Encodes 16-bit pixels (PNG) or a stack of frames (APNG, GIF, WebP).
 *
 * @param pixels The pixels, with `bits: 16` or `frames`.
 * @param format The target format.
 * @param options Quality for WebP, timing for animations.
 * @returns The encoded bytes.
 * @throws {CodecError} `unprocessable` `unsupported_bit_depth` for 16 bits in another format
 *   than PNG, or an animated JPEG.
 * @example
 * const png = await encodeDeep(
 *   { width: 1, height: 1, channels: 1, bits: 16, data: new Uint8Array(2) }, "png", {},
 * );
 */
export async function encodeDeep(
  pixels: ChannelPixels,
  format: ImageFormat,
  options: { quality?: number; timing?: AnimationTiming },
): Promise<Uint8Array<ArrayBuffer>> {
  const bits = pixels.bits ?? 8;
  if (bits === 16 && format !== "png") {
    throw new CodecError(
      "unprocessable",
      "unsupported_bit_depth",
      `${format} holds 8 bits per channel; 16-bit images are written as PNG`,
    );
  }
  const samples = bits === 16 ? samples16(pixels.data) : pixels.data;
  const { width, height, channels } = pixels;
  const timing = options.timing ?? DEFAULT_TIMING;
  if (pixels.frames === undefined) {
    return encodePng16(samples as Uint16Array, width, height, channels);
  }
  switch (format) {
    case "png":
      return encodeApng(samples, width, height, channels, pixels.frames, timing);
    case "gif":
      return await animatedGif(pixels, timing);
    case "webp":
      return await animatedWebp(pixels, timing, options.quality);
    default:
      throw new CodecError(
        "unprocessable",
        "unsupported_animation",
        `${format} cannot hold an animation; ask for gif, webp or png (APNG), or lay the ` +
          `frames out with ?grid=`,
      );
  }
}

/**
 * Encodes pixels of 1 to 4 channels: 16-bit samples and frame stacks as
 * {@linkcode encodeDeep} does, one 8-bit gray or RGB image as PNG straight from its bytes,
 * any other 8-bit image through the usual encoders.
 *
 * @param pixels The pixels.
 * @param format The target format.
 * @param options Quality, effort and backend, and the timing of an animation.
 * @returns The encoded bytes.
 * @throws {CodecError} As {@linkcode encodeDeep} and `encodePixels` do.
 * @example
 * ```ts
 * import { encodeChannelPixels } from "./animate.ts";
 *
 * const data = new Uint8Array([255, 0, 0, 0, 0, 255]);
 * const gif = await encodeChannelPixels(
 *   { width: 1, height: 1, channels: 3, data, frames: 2 }, "gif", { timing: { delayNumerator: 1, delayDenominator: 4, loop: 0 } },
 * );
 * ```
 */
export async function encodeChannelPixels(
  pixels: ChannelPixels,
  format: ImageFormat,
  options: EncodeOptions & { timing?: AnimationTiming } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  if (pixels.bits === 16 || pixels.frames !== undefined) {
    return await encodeDeep(pixels, format, options);
  }
  const { width, height, channels, data } = pixels;
  if (format === "png" && (channels === 1 || channels === 3)) {
    checkQuality(format, options.quality);
    checkSize(width, height, format);
    return encodePngChannels(data, width, height, channels);
  }
  const rgba = toRgba(pixels);
  try {
    return await encodePixels(rgba, format, options);
  } finally {
    // The RGBA expansion is freed now rather than at V8's next collection.
    if (rgba.rgba !== pixels.data) releaseBuffer(rgba.rgba);
  }
}

/** The bytes as 16-bit samples, copied only when not 2-byte aligned. */
function samples16(data: Uint8Array): Uint16Array {
  const aligned = data.byteOffset % 2 === 0 ? data : data.slice();
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 1);
}

/** Milliseconds per frame. */
function delayMs(timing: AnimationTiming): number {
  return (timing.delayNumerator / (timing.delayDenominator || 100)) * 1000;
}

/** The frames' exact palettes, or `undefined` when one frame has more than 256 colours. */
function framePalettes(pixels: ChannelPixels): GifPalette[] | undefined {
  const { width, height, channels, data } = pixels;
  const size = width * height * channels;
  const palettes: GifPalette[] = [];
  for (let f = 0; f < (pixels.frames ?? 1); f++) {
    const frame = data.subarray(f * size, (f + 1) * size);
    const palette = gifPalette(toRgba({ width, height, channels, data: frame }).rgba);
    if (palette === undefined) return undefined;
    palettes.push(palette);
  }
  return palettes;
}

async function animatedGif(pixels: ChannelPixels, timing: AnimationTiming) {
  const ms = delayMs(timing);
  const palettes = framePalettes(pixels);
  if (palettes !== undefined) {
    const delayCs = Math.min(65535, Math.max(1, Math.round(ms / 10)));
    return encodeGifFrames(palettes, pixels.width, pixels.height, { delayCs, loop: timing.loop });
  }
  return await withFrames(
    pixels,
    (input, delay) => input.gif({ effort: 1, dither: 0, loop: timing.loop, delay }).toBuffer(),
    ms,
  );
}

function animatedWebp(pixels: ChannelPixels, timing: AnimationTiming, quality?: number) {
  return withFrames(pixels, (input, delay) =>
    input.webp({
      loop: timing.loop,
      delay,
      lossless: quality === undefined,
      quality: quality ?? 100,
      effort: quality === undefined ? 1 : 4,
    }).toBuffer(), delayMs(timing));
}

type SharpInput = ReturnType<Awaited<ReturnType<typeof loadSharp>>>;

/** Runs a sharp encode on the frames as one tall image of `frames` pages. */
async function withFrames(
  pixels: ChannelPixels,
  run: (input: SharpInput, delay: number[]) => Promise<Uint8Array>,
  ms: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const sharp = await loadSharp();
  const { width, height, channels, data } = pixels;
  const frames = pixels.frames ?? 1;
  const input = sharp(data, {
    raw: { width, height: height * frames, channels, pageHeight: height },
  });
  const delay = new Array<number>(frames).fill(Math.round(ms));
  return new Uint8Array(await run(input, delay));
}
