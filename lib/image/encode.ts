/**
 * Encoders: RGBA pixels (or an ImageScript {@linkcode Image}) to PNG, JPEG, WebP or GIF.
 *
 * PNG is pixserve's own writer ({@linkcode encodePng}); GIF is its own exact writer for
 * images of at most 256 colours ({@linkcode encodeGif}); WebP is ImageScript's libwebp
 * build (WebAssembly), the faster of the two libwebp builds at hand for the same bytes. JPEG
 * and GIFs that need a quantizer go to the backend chosen at start-up: `native`
 * (libjpeg-turbo called directly for JPEG, libvips' libimagequant through sharp for GIF,
 * each loaded on first use) or `imagescript` (WebAssembly, much slower for JPEG, no
 * native code). The figures behind these choices: `bench/README.md`.
 *
 * @module
 */

import {
  Frame,
  GIF,
  type GIFQuality,
  Image,
  type JPEGQuality,
  type WEBPQuality,
} from "imagescript";
import { Buffer } from "node:buffer";
import { CodecError } from "../codec_error.ts";
import { ENCODER_BACKENDS, type EncoderBackend } from "./backend.ts";
import { type ImageFormat, LOSSY_FORMATS } from "./format.ts";
import { encodeGif, gifPalette } from "./gif.ts";
import { encodePng, packPixels, pngColorType } from "./png.ts";

/** JPEG quality when none is asked. */
export const DEFAULT_JPEG_QUALITY = 90;

/** AVIF quality when none is asked (sharp's default). */
export const DEFAULT_AVIF_QUALITY = 50;

/**
 * AVIF effort when none is asked: 2 of libaom's 0–9. A 400×400 photo takes about a tenth of
 * the time of effort 4 (sharp's default) for a file about 3 % larger; imgproxy, which also
 * encodes on request, defaults to speed 8 (effort 1). Figures in `bench/README.md`.
 */
export const DEFAULT_AVIF_EFFORT = 2;

export { ENCODER_BACKENDS, type EncoderBackend } from "./backend.ts";

/** How to encode. */
export interface EncodeOptions {
  /**
   * 1–100 for JPEG (default 90) and WebP (lossy); absent WebP is lossless.
   * Not accepted for PNG and GIF.
   */
  quality?: number;
  /** AVIF: libaom's speed/size trade-off, 0 (fast) to 9 (small). @default {4} */
  effort?: number;
  /** Who writes JPEG and GIFs of more than 256 colours. @default {"native"} */
  backend?: EncoderBackend;
}

/** Pixels to encode: 8-bit RGBA, row-major, as in an ImageScript `bitmap`. */
export interface RgbaPixels {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** `width * height * 4` bytes. */
  readonly rgba: Uint8Array;
}

/**
 * Pixels of 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels, row-major: 8-bit, or
 * 16-bit samples in this machine's byte order; one image, or `frames` images one after
 * the other.
 */
export interface ChannelPixels {
  /** Columns. */
  readonly width: number;
  /** Rows (of one frame). */
  readonly height: number;
  /** Samples per pixel. */
  readonly channels: 1 | 2 | 3 | 4;
  /** `frames * width * height * channels * bits / 8` bytes. */
  readonly data: Uint8Array;
  /** Bits per sample; 16 is written by PNG alone. @default {8} */
  readonly bits?: 8 | 16;
  /** Images in `data`, each `width` × `height`: an animation when present. */
  readonly frames?: number;
}

/**
 * Expands pixels of any channel count to RGBA (gray repeats into r, g, b; alpha is 255
 * unless given).
 *
 * @param pixels The pixels.
 * @returns RGBA pixels: `data` itself for 4 channels, else a new buffer.
 * @throws {RangeError} When `data` does not hold `width * height * channels` bytes.
 * @example
 * ```ts
 * import { toRgba } from "./encode.ts";
 *
 * toRgba({ width: 1, height: 1, channels: 3, data: new Uint8Array([1, 2, 3]) }).rgba;
 * // Uint8Array [1, 2, 3, 255]
 * ```
 */
export function toRgba(pixels: ChannelPixels): RgbaPixels {
  const { width, height, channels, data } = pixels;
  const count = width * height;
  if (data.byteLength !== count * channels) {
    throw new RangeError(`${width}x${height}x${channels} pixels need ${count * channels} bytes`);
  }
  if (channels === 4) return { width, height, rgba: data };
  const rgba = new Uint8Array(count * 4);
  const words = new Int32Array(rgba.buffer);
  const OPAQUE = -0x1000000;
  if (channels === 3) {
    for (let p = 0, i = 0; p < count; p++, i += 3) {
      words[p] = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | OPAQUE;
    }
  } else if (channels === 1) {
    for (let p = 0; p < count; p++) words[p] = (data[p] * 0x010101) | OPAQUE;
  } else {
    for (let p = 0, i = 0; p < count; p++, i += 2) {
      words[p] = (data[i] * 0x010101) | (data[i + 1] << 24);
    }
  }
  return { width, height, rgba };
}

/** The largest width or height each format can hold. */
export const MAX_SIDE: Readonly<Record<ImageFormat, number>> = {
  png: 2 ** 31 - 1,
  jpeg: 65_500,
  webp: 16_383,
  gif: 65_535,
  avif: 16_384,
};

/**
 * Checks a quality against a format.
 *
 * @param format The target format.
 * @param quality The quality asked, or `undefined`.
 * @returns The quality unchanged.
 * @throws {CodecError} malformed: `invalid_quality`: not an integer 1–100, or the format is lossless.
 * @example
 * ```ts
 * import { checkQuality } from "./encode.ts";
 *
 * checkQuality("jpeg", 80); // 80
 * ```
 */
export function checkQuality(
  format: ImageFormat,
  quality: number | undefined,
): number | undefined {
  if (quality === undefined) return undefined;
  if (!LOSSY_FORMATS.has(format)) {
    throw new CodecError(
      "malformed",
      "invalid_quality",
      `quality applies to jpeg, webp and avif, not ${format}`,
    );
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new CodecError(
      "malformed",
      "invalid_quality",
      `quality must be an integer from 1 to 100`,
    );
  }
  return quality;
}

/**
 * Checks that a format can hold an image of this size.
 *
 * @param width Columns.
 * @param height Rows.
 * @param format The target format.
 * @throws {CodecError} unprocessable: `too_large_for_format` past {@linkcode MAX_SIDE}.
 * @example
 * ```ts
 * import { CodecError } from "../codec_error.ts";
 * import { checkSize } from "./encode.ts";
 *
 * checkSize(16_383, 10, "webp"); // fits
 * try {
 *   checkSize(20_000, 10, "webp");
 * } catch (err) {
 *   console.log((err as CodecError).message); // "webp images are at most 16383 pixels a side; …"
 * }
 * ```
 */
export function checkSize(width: number, height: number, format: ImageFormat): void {
  const max = MAX_SIDE[format];
  if (width > max || height > max) {
    throw new CodecError(
      "unprocessable",
      "too_large_for_format",
      `${format} images are at most ${max} pixels a side; ${width}x${height} is larger`,
    );
  }
}

/**
 * Encodes an image in this isolate (the server encodes in worker isolates instead; see
 * `lib/pool/pool.ts`).
 *
 * @param image The pixels; left unchanged.
 * @param format The target format.
 * @param options Quality for lossy formats, backend.
 * @returns The encoded bytes.
 * @throws {CodecError} malformed: A quality that {@linkcode checkQuality} rejects.
 * @throws {CodecError} unprocessable: A size that {@linkcode checkSize} rejects.
 * @example
 * ```ts
 * import { encode } from "./encode.ts";
 * import { Image } from "imagescript";
 *
 * const png = await encode(new Image(2, 2), "png");
 * ```
 */
export async function encode(
  image: Image,
  format: ImageFormat,
  options: EncodeOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  return await encodePixels(pixelsOf(image), format, options);
}

/**
 * The pixels of an ImageScript image, as a view (no copy).
 *
 * @param image The image.
 * @returns Its width, height and bitmap bytes.
 * @example
 * ```ts
 * import { pixelsOf } from "./encode.ts";
 * import { Image } from "imagescript";
 *
 * pixelsOf(new Image(2, 1)).rgba.length; // 8
 * ```
 */
export function pixelsOf(image: Image): RgbaPixels {
  const b = image.bitmap;
  return {
    width: image.width,
    height: image.height,
    rgba: new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  };
}

/**
 * Encodes RGBA pixels.
 *
 * @param pixels Width, height and RGBA bytes; left unchanged.
 * @param format The target format.
 * @param options Quality for lossy formats, backend.
 * @returns The encoded bytes, in a buffer of their own.
 * @throws {CodecError} malformed: A quality that {@linkcode checkQuality} rejects.
 * @throws {CodecError} unprocessable: A size that {@linkcode checkSize} rejects.
 * @example
 * ```ts
 * import { encodePixels } from "./encode.ts";
 *
 * const gif = await encodePixels({ width: 1, height: 1, rgba: new Uint8Array(4) }, "gif");
 * ```
 */
export async function encodePixels(
  pixels: RgbaPixels,
  format: ImageFormat,
  options: EncodeOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const quality = checkQuality(format, options.quality);
  checkSize(pixels.width, pixels.height, format);
  const backend = options.backend ?? ENCODER_BACKENDS[0];
  switch (format) {
    case "png":
      return encodePng(pixels.rgba, pixels.width, pixels.height);
    case "gif": {
      const palette = gifPalette(pixels.rgba);
      if (palette !== undefined) return encodeGif(palette, pixels.width, pixels.height);
      return backend === "native" ? await sharpGif(pixels) : await imagescriptGif(pixels);
    }
    case "jpeg":
      return backend === "native"
        ? await turboJpeg(pixels, quality ?? DEFAULT_JPEG_QUALITY)
        : await imagescriptJpeg(pixels, quality ?? DEFAULT_JPEG_QUALITY);
    case "webp":
      return await imagescriptWebp(pixels, quality);
    case "avif":
      return await sharpAvif(pixels, quality ?? DEFAULT_AVIF_QUALITY, options.effort);
  }
}

type JpegTurbo = typeof import("jpeg-turbo");
let jpegTurboModule: Promise<JpegTurbo> | undefined;

/** libjpeg-turbo's bindings, imported on first use like sharp. */
function loadJpegTurbo(): Promise<JpegTurbo> {
  jpegTurboModule ??= import("jpeg-turbo").then((module) => module.default);
  return jpegTurboModule;
}

/**
 * JPEG through libjpeg-turbo's own API, synchronously (it runs on an encode worker), from
 * the RGBA bytes as they are (alpha ignored), with 4:2:0 chroma as Pillow writes by default,
 * without the fixed cost of libvips' per-call pipeline (figures: `bench/README.md`).
 */
async function turboJpeg(pixels: RgbaPixels, quality: number) {
  const turbo = await loadJpegTurbo();
  const { width, height, rgba } = pixels;
  const options = {
    format: turbo.FORMAT_RGBA,
    width,
    height,
    quality,
    subsampling: turbo.SAMP_420,
  };
  const size = turbo.bufferSize(options);
  if (turboOut === undefined || turboOut.byteLength < size) turboOut = Buffer.alloc(size);
  const input = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return ownBytes(turbo.compressSync(input, turboOut, options));
}

/**
 * The buffer libjpeg-turbo writes into, kept for the next JPEG (copied out each time): a
 * fresh one per image would be garbage as large as the pixels until the next collection.
 */
let turboOut: Buffer | undefined;

type Sharp = typeof import("sharp").default;
let sharpModule: Promise<Sharp> | undefined;

/**
 * sharp, imported on first use so that isolates that never encode never load libvips,
 * with libvips' operation cache off (no input repeats) and one libvips thread per encode
 * (the encode pool runs encodes in parallel; more threads only add hand-offs).
 *
 * @returns sharp's default export.
 * @example
 * const sharp = await loadSharp();
 */
export function loadSharp(): Promise<Sharp> {
  sharpModule ??= import("sharp").then(({ default: sharp }) => {
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return sharpModule;
}

/** Packed RGB buffers kept for reuse: a fresh 6 MB array costs more than packing into it. */
const SCRATCH: Uint8Array<ArrayBuffer>[] = [];
const SCRATCH_MAX_BYTES = 32 * 1024 * 1024;

/** Runs a sharp encode on the pixels as RGB when the image is opaque, else as RGBA. */
async function withSharp(
  pixels: RgbaPixels,
  run: (input: ReturnType<Sharp>) => Promise<Uint8Array>,
): Promise<Uint8Array<ArrayBuffer>> {
  const sharp = await loadSharp();
  const { width, height, rgba } = pixels;
  const type = pngColorType(rgba);
  if (type === 4 || type === 6) {
    return ownBytes(await run(sharp(rgba, { raw: { width, height, channels: 4 } })));
  }
  const rgb = packPixels(rgba, 2, SCRATCH.pop());
  try {
    return ownBytes(await run(sharp(rgb, { raw: { width, height, channels: 3 } })));
  } finally {
    if (rgb.buffer.byteLength <= SCRATCH_MAX_BYTES) SCRATCH.push(new Uint8Array(rgb.buffer));
  }
}

/** A copy in a buffer of its own, so that it can be transferred between isolates. */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function sharpAvif(pixels: RgbaPixels, quality: number, effort = DEFAULT_AVIF_EFFORT) {
  return withSharp(pixels, (input) => input.avif({ quality, effort }).toBuffer());
}

function sharpGif(pixels: RgbaPixels) {
  return withSharp(pixels, (input) => input.gif({ effort: 1, dither: 0 }).toBuffer());
}

/** An ImageScript image holding a copy of the pixels. */
function imageOf(pixels: RgbaPixels): Image {
  const image = new Image(pixels.width, pixels.height);
  image.bitmap.set(pixels.rgba);
  return image;
}

async function imagescriptJpeg(pixels: RgbaPixels, quality: number) {
  return ownBytes(await imageOf(pixels).encodeJPEG(quality as JPEGQuality));
}

async function imagescriptWebp(pixels: RgbaPixels, quality: number | undefined) {
  return ownBytes(await imageOf(pixels).encodeWEBP((quality ?? null) as WEBPQuality | null));
}

async function imagescriptGif(pixels: RgbaPixels) {
  return ownBytes(await new GIF([Frame.from(imageOf(pixels))]).encode(100 as GIFQuality));
}
