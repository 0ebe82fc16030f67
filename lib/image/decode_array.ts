/**
 * Image files to arrays that keep what the file holds, as `cv2.imread(f,
 * cv2.IMREAD_UNCHANGED)` does but in RGB order: gray is (H, W), gray with alpha
 * (H, W, 2), colour (H, W, 3) or (H, W, 4); 16-bit PNG and TIFF samples stay `uint16`;
 * an animated PNG, GIF or WebP is (N, H, W, C), or one frame with `frame`.
 *
 * PNG and APNG are read by `npm:fast-png` (which keeps bit depth and colour type),
 * animated GIF and WebP by sharp (libvips), still GIF and JPEG by ImageScript, TIFF by
 * `npm:tiff`. Frame counts and sizes come from the file's structure and are checked
 * against the limits before any pixel is decoded.
 *
 * @module
 */

import { convertIndexedToRgb, decode as decodePng, decodeApng, type DecodedPng } from "fast-png";
import { decode as decodeTiff, type TiffIfd } from "tiff";
import { CodecError } from "../codec_error.ts";
import type { PixelArray } from "../arrays/types.ts";
import { loadSharp } from "./encode.ts";
import { sniffImageFormat } from "./format.ts";
import { readFrameHeader } from "./frame_header.ts";
import { checkGifFrames } from "./gif_frames.ts";
import { checkTiffInflation } from "./tiff_bound.ts";
import { decodeSourceImage, readSourceHeader } from "./source.ts";

/** Options of {@linkcode decodeImageArray}. */
export interface DecodeArrayOptions {
  /** Largest frames × width × height decoded. */
  maxPixels: number;
  /** Most frames decoded. */
  maxFrames: number;
  /** Only this frame (from 0) of an animation. */
  frame?: number;
}

/** A decoded image and its samples per pixel. */
export interface DecodedArray {
  /** (H, W) gray, (H, W, C), or a stack of either with frames first. */
  readonly array: PixelArray;
  /** Samples per pixel: 1 for gray, which has no channel axis. */
  readonly channels: number;
}

/** What the file's structure says before decoding. */
interface Probe {
  format: "png" | "jpeg" | "gif" | "tiff" | "webp";
  width: number;
  height: number;
  frames: number;
}

/**
 * Decodes an image file to the array it holds (see the module notes).
 *
 * @param bytes The whole file.
 * @param options Limits, and the one frame wanted.
 * @returns The array (`uint8` or `uint16`, (H, W), (H, W, C) or (N, H, W, C)) and its
 *   channels.
 * @throws {CodecError} `unsupported_media` `unsupported_media_type` for bytes that are no
 *   PNG, JPEG, GIF, TIFF or WebP, or cannot be decoded; `unprocessable` `too_many_pixels`,
 *   `too_many_frames` or `frame_out_of_range`.
 * @example
 * const array = await decodeImageArray(await Deno.readFile("depth.png"), {
 *   maxPixels: 40_000_000, maxFrames: 1000,
 * });
 */
export async function decodeImageArray(
  bytes: Uint8Array,
  options: DecodeArrayOptions,
): Promise<DecodedArray> {
  const header = readSourceHeader(bytes);
  if (header?.format === "tiff") checkTiffInflation(bytes);
  if (header?.format === "gif") checkGifFrames(bytes, options.maxPixels);
  const probe = await probeImage(bytes);
  checkProbe(probe, options);
  try {
    const array = await decodeProbed(bytes, probe, options.frame);
    const stacked = probe.frames > 1 && options.frame === undefined;
    const axes = array.shape.length - (stacked ? 1 : 0);
    return { array, channels: axes === 2 ? 1 : array.shape[array.shape.length - 1] };
  } catch (err) {
    if (err instanceof CodecError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      `the ${probe.format} source cannot be decoded: ${why}`,
    );
  }
}

async function probeImage(bytes: Uint8Array): Promise<Probe> {
  const header = readSourceHeader(bytes);
  const webp = header === undefined && sniffImageFormat(bytes.subarray(0, 12)) === "webp";
  if (header === undefined && !webp) {
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      "the source is not a PNG, JPEG, GIF, TIFF or WebP image",
    );
  }
  const format = header?.format ?? "webp";
  const frames = readFrameHeader(bytes, format);
  if (header !== undefined) return { ...header, frames: frames.frames };
  if (frames.width !== undefined && frames.height !== undefined) {
    return { format, width: frames.width, height: frames.height, frames: frames.frames };
  }
  const sharp = await loadSharp();
  const meta = await sharp(bytes).metadata().catch(() => undefined);
  if (meta === undefined || !meta.width || !meta.height) {
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      "the webp source cannot be decoded: its header is unreadable",
    );
  }
  return { format, width: meta.width, height: meta.height, frames: frames.frames };
}

function checkProbe(probe: Probe, options: DecodeArrayOptions): void {
  const { width, height, frames } = probe;
  if (frames > options.maxFrames) {
    throw new CodecError(
      "unprocessable",
      "too_many_frames",
      `the source has ${frames} frames, more than MAX_FRAMES (${options.maxFrames})`,
    );
  }
  const pixels = width * height * frames;
  if (pixels > options.maxPixels) {
    const what = frames === 1 ? `${width}x${height}` : `${frames} frames of ${width}x${height}`;
    throw new CodecError(
      "unprocessable",
      "too_many_pixels",
      `the source is ${what}, ${pixels} pixels, more than MAX_PIXELS (${options.maxPixels})`,
    );
  }
  if (options.frame !== undefined && options.frame >= frames) {
    throw new CodecError(
      "unprocessable",
      "frame_out_of_range",
      `frame ${options.frame} does not exist: the source has ${frames} ` +
        `frame${frames === 1 ? "" : "s"}, numbered from 0`,
    );
  }
}

async function decodeProbed(
  bytes: Uint8Array,
  probe: Probe,
  frame: number | undefined,
): Promise<PixelArray> {
  switch (probe.format) {
    case "png":
      return probe.frames > 1 ? apngArray(bytes, frame) : pngArray(decodePng(bytes));
    case "tiff":
      return tiffArray(decodeTiff(bytes, { pages: [0] })[0]);
    case "jpeg": {
      const image = await decodeSourceImage(bytes, Infinity);
      return rgbaArray(image.bitmap, image.width, image.height, jpegComponents(bytes) === 1);
    }
    case "gif":
    case "webp":
      if (probe.format === "gif" && probe.frames === 1) {
        const image = await decodeSourceImage(bytes, Infinity);
        return rgbaArray(image.bitmap, image.width, image.height, false);
      }
      return await sharpFrames(bytes, probe, frame);
  }
}

/** A decoded PNG (or APNG frame) as an array: palette expanded, low bit depths widened. */
function pngArray(
  png: Pick<DecodedPng, "width" | "height" | "data" | "depth" | "channels" | "palette">,
): PixelArray {
  const { width, height } = png;
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png as DecodedPng);
    const channels = rgb.length / (width * height);
    return { shape: [height, width, channels], dtype: "uint8", data: rgb };
  }
  const shape = png.channels === 1 ? [height, width] : [height, width, png.channels];
  if (png.depth === 16) return { shape, dtype: "uint16", data: png.data as Uint16Array };
  if (png.depth === 8) return { shape, dtype: "uint8", data: png.data as Uint8Array };
  return {
    shape,
    dtype: "uint8",
    data: widenGray(png.data as Uint8Array, width, height, png.depth),
  };
}

/** Gray samples of 1, 2 or 4 bits, packed in rows, to 8 bits (`v * 255 / (2^depth - 1)`). */
function widenGray(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >>> 3)];
      out[y * width + x] = ((byte >>> (8 - depth - (bit & 7))) & max) * scale;
    }
  }
  return out;
}

function apngArray(bytes: Uint8Array, only: number | undefined): PixelArray {
  const apng = decodeApng(bytes);
  const picked = only === undefined ? apng.frames : [apng.frames[only]];
  const arrays = picked.map((f) => pngArray({ ...apng, data: f.data }));
  return stackArrays(arrays, only === undefined);
}

/** One array, or the arrays stacked along a new first axis. */
function stackArrays(arrays: PixelArray[], stacked: boolean): PixelArray {
  if (!stacked) return arrays[0];
  const [first] = arrays;
  const size = first.data.length;
  const data = first.dtype === "uint16"
    ? new Uint16Array(size * arrays.length)
    : new Uint8Array(size * arrays.length);
  arrays.forEach((a, i) => data.set(a.data as ArrayLike<number>, i * size));
  return { shape: [arrays.length, ...first.shape], dtype: first.dtype, data };
}

/** The component count of a JPEG's frame header (1 for gray). */
function jpegComponents(bytes: Uint8Array): number {
  for (let i = 2; i + 9 < bytes.length;) {
    if (bytes[i] !== 0xff) return 3;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return bytes[i + 9];
    }
    const standalone = marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
    i += standalone ? 2 : 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
  }
  return 3;
}

/** RGBA pixels as gray (H, W), RGB (H, W, 3), or RGBA (H, W, 4) when any is not opaque. */
function rgbaArray(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  gray: boolean,
): PixelArray {
  const pixels = width * height;
  if (gray) {
    const data = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) data[p] = rgba[p * 4];
    return { shape: [height, width], dtype: "uint8", data };
  }
  let opaque = true;
  for (let o = 3; o < rgba.length && opaque; o += 4) opaque = rgba[o] === 255;
  if (!opaque) return { shape: [height, width, 4], dtype: "uint8", data: new Uint8Array(rgba) };
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) data.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return { shape: [height, width, 3], dtype: "uint8", data };
}

/** A TIFF page as it is stored: gray, gray with alpha, RGB or RGBA; 8 or 16 bits. */
function tiffArray(ifd: TiffIfd): PixelArray {
  const { width, height, components } = ifd;
  const data = ifd.data;
  if (
    ifd.type === 3 || ifd.type > 2 || !(data instanceof Uint8Array || data instanceof Uint16Array)
  ) {
    const image = tiffRgba(ifd);
    return rgbaArray(image, width, height, false);
  }
  const shape = components === 1 ? [height, width] : [height, width, components];
  let samples = data;
  if (ifd.type === 0) {
    const max = data instanceof Uint16Array ? 65535 : 255;
    samples = data.map((v) => max - v);
  }
  return samples instanceof Uint16Array
    ? { shape, dtype: "uint16", data: samples }
    : { shape, dtype: "uint8", data: samples };
}

/** Palette, CMYK-free colour and float TIFFs, expanded to 8-bit RGBA. */
function tiffRgba(ifd: TiffIfd): Uint8Array {
  const { width, height, components, data } = ifd;
  const out = new Uint8Array(width * height * 4);
  const palette = ifd.type === 3 ? ifd.palette : undefined;
  if (palette === undefined && ifd.type > 2) {
    throw new Error(`photometric interpretation ${ifd.type} is not supported`);
  }
  const sample = (i: number) => {
    const v = data[i];
    if (data instanceof Uint8Array) return v;
    if (data instanceof Uint16Array) return v >> 8;
    return Math.round(Math.min(1, Math.max(0, v)) * 255);
  };
  for (let p = 0; p < width * height; p++) {
    const i = p * components;
    if (palette !== undefined) {
      const entry = palette[data[i]] ?? [0, 0, 0];
      out.set([entry[0] >> 8, entry[1] >> 8, entry[2] >> 8, 255], p * 4);
    } else if (components <= 2) {
      const g = sample(i);
      out.set([g, g, g, components === 2 ? sample(i + 1) : 255], p * 4);
    } else {
      out.set(
        [sample(i), sample(i + 1), sample(i + 2), components > 3 ? sample(i + 3) : 255],
        p * 4,
      );
    }
  }
  return out;
}

/** Every frame of an animated GIF or WebP through libvips, as RGB or RGBA. */
async function sharpFrames(
  bytes: Uint8Array,
  probe: Probe,
  only: number | undefined,
): Promise<PixelArray> {
  const sharp = await loadSharp();
  const input = only === undefined
    ? sharp(bytes, { animated: true, limitInputPixels: false })
    : sharp(bytes, { page: only, pages: 1, limitInputPixels: false });
  const { data, info } = await input.raw().toBuffer({ resolveWithObject: true });
  const frames = only === undefined ? Math.max(1, info.height / probe.height | 0) : 1;
  const height = info.height / frames;
  const channels = info.channels;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const arrays: PixelArray[] = [];
  const size = info.width * height * channels;
  let opaque = channels !== 4;
  if (channels === 4) {
    opaque = true;
    for (let o = 3; o < pixels.length && opaque; o += 4) opaque = pixels[o] === 255;
  }
  for (let f = 0; f < frames; f++) {
    const frame = pixels.subarray(f * size, (f + 1) * size);
    arrays.push(
      channels === 4 && opaque
        ? rgbaArray(frame, info.width, height, false)
        : { shape: [height, info.width, channels], dtype: "uint8", data: frame.slice() },
    );
  }
  return stackArrays(arrays, frames > 1);
}
