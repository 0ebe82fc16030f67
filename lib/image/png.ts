/**
 * A PNG writer for 8-bit RGBA pixels, for 8-bit gray and RGB bytes as they are
 * ({@linkcode encodePngChannels}, no RGBA copy), and for 16-bit gray, gray with alpha, RGB and
 * RGBA samples, on the runtime's native zlib (`node:zlib`: deflate and the chunks' CRC-32).
 *
 * It writes the smallest colour type that holds the pixels exactly: gray (0) when every
 * pixel is opaque and r = g = b, RGB (2) when every pixel is opaque, gray with alpha (4)
 * when r = g = b everywhere, RGBA (6) otherwise. Each row is filtered so that runs of
 * zeros stay unbroken: a row of zero bytes is left as it is (filter None), a row equal to
 * the one above becomes zeros with filter Up, any other row is filtered with Paeth (which
 * the first row degrades to Sub). The scanlines are deflated at zlib's default level, or
 * with the run-length strategy when nearly every filtered byte is zero (drawn images,
 * masks, the sample), where it is both faster and smaller.
 *
 * 16-bit samples ({@linkcode encodePng16}) keep the colour type they come in, are written
 * big-endian as PNG requires, filtered with Sub and deflated at zlib's fastest level with
 * the run-length strategy: the settings `cv2.imwrite` uses by default, for files of about
 * its size in about its time.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { constants, crc32 as zlibCrc32, deflateSync } from "node:zlib";
import { PNG_SIGNATURE } from "./format.ts";

/** PNG colour types written: gray, RGB, gray with alpha, RGBA. */
export type PngColorType = 0 | 2 | 4 | 6;

/** Bytes per pixel of each colour type at 8 bits per sample. */
export const PNG_CHANNELS: Readonly<Record<PngColorType, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

const FILTER_NONE = 0;
const FILTER_UP = 2;
const FILTER_PAETH = 4;
/** Z_RLE is used when fewer than one filtered byte in this many is not zero. */
const RUN_RATIO = 64;

/**
 * The CRC-32 of bytes (ISO 3309, as PNG chunks use), optionally continuing an earlier one:
 * the runtime's native zlib sum, about a hundred times faster than a table loop in JavaScript.
 *
 * @param bytes The bytes.
 * @param crc The CRC of the bytes before these; 0 to start.
 * @returns The CRC as an unsigned 32-bit integer.
 * @example
 * ```ts
 * import { crc32 } from "./png.ts";
 *
 * crc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  return zlibCrc32(bytes, crc) >>> 0;
}

/**
 * The smallest colour type that holds RGBA pixels exactly.
 *
 * @param rgba Pixels, 4 bytes each.
 * @returns 0 (gray), 2 (RGB), 4 (gray with alpha) or 6 (RGBA).
 * @example
 * ```ts
 * import { pngColorType } from "./png.ts";
 *
 * pngColorType(new Uint8Array([9, 9, 9, 255])); // 0
 * ```
 */
export function pngColorType(rgba: Uint8Array): PngColorType {
  const words = wordsOf(rgba);
  return scanRows(words, words.length, 1).type;
}

/** What one pass over the pixels tells: the colour type, and which rows repeat the one above. */
interface RowScan {
  /** The smallest exact colour type. */
  type: PngColorType;
  /** 1 where row `y` equals row `y - 1`. */
  repeats: Uint8Array;
}

function scanRows(words: Int32Array, width: number, height: number): RowScan {
  const repeats = new Uint8Array(height);
  let all = -1;
  let chroma = 0;
  for (let y = 0, i = 0; y < height; y++) {
    let same = y > 0;
    for (const end = i + width; i < end; i++) {
      const w = words[i];
      all &= w;
      chroma |= w ^ (w >>> 8);
      if (same && w !== words[i - width]) same = false;
    }
    repeats[y] = same ? 1 : 0;
  }
  const gray = (chroma & 0xffff) === 0;
  const type = all >>> 24 === 0xff ? (gray ? 0 : 2) : (gray ? 4 : 6);
  return { type, repeats };
}

/**
 * RGBA pixels in the byte layout of a colour type: gray, RGB, gray with alpha or RGBA.
 *
 * @param rgba Pixels, 4 bytes each.
 * @param type The layout wanted; gray keeps the red channel.
 * @param into Where to write, when it is large enough and 4-byte aligned; else a new array.
 * @returns `PNG_CHANNELS[type]` bytes per pixel (a view of `into` when it was used).
 * @example
 * ```ts
 * import { packPixels } from "./png.ts";
 *
 * packPixels(new Uint8Array([1, 2, 3, 255]), 2); // Uint8Array [1, 2, 3]
 * ```
 */
export function packPixels(
  rgba: Uint8Array,
  type: PngColorType,
  into?: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  const words = wordsOf(rgba);
  const length = words.length * PNG_CHANNELS[type];
  const fits = into !== undefined && into.byteLength >= length && into.byteOffset % 4 === 0;
  const out = fits ? into.subarray(0, length) : new Uint8Array(length);
  packRow(words, 0, words.length, type, out);
  return out;
}

/**
 * Encodes 8-bit RGBA pixels as a PNG.
 *
 * @param rgba Pixels, row-major, 4 bytes each (an ImageScript `bitmap`).
 * @param width Columns, at least 1.
 * @param height Rows, at least 1.
 * @returns The PNG file.
 * @throws {RangeError} When `rgba` does not hold `width * height` pixels.
 * @example
 * ```ts
 * import { encodePng } from "./png.ts";
 *
 * const png = encodePng(new Uint8Array([255, 0, 0, 255]), 1, 1);
 * ```
 */
export function encodePng(
  rgba: Uint8Array,
  width: number,
  height: number,
): Uint8Array<ArrayBuffer> {
  checkPngSize(width, height);
  if (rgba.byteLength !== width * height * 4) {
    throw new RangeError(`${width}x${height} RGBA needs ${width * height * 4} bytes`);
  }
  const words = wordsOf(rgba);
  const { type, repeats } = scanRows(words, width, height);
  const rowAt = type === 6
    ? (y: number) => new Uint8Array(words.buffer, words.byteOffset + y * width * 4, width * 4)
    : (y: number, into: Uint8Array) => {
      packRow(words, y * width, width, type, into);
      return into;
    };
  return deflateRows(width, height, type, rowAt, repeats);
}

/**
 * Encodes 8-bit gray or RGB pixels as a PNG straight from their bytes, with no RGBA
 * expansion: RGB whose pixels all have r = g = b is written as gray, as
 * {@linkcode encodePng} writes it.
 *
 * @param data `width * height * channels` bytes, row-major.
 * @param width Columns, at least 1.
 * @param height Rows, at least 1.
 * @param channels 1 (gray) or 3 (RGB).
 * @returns The PNG file.
 * @throws {RangeError} A size that is not positive, or bytes that do not match it.
 * @example
 * ```ts
 * import { encodePngChannels } from "./png.ts";
 *
 * const png = encodePngChannels(new Uint8Array([255, 0, 0]), 1, 1, 3); // one red pixel
 * ```
 */
export function encodePngChannels(
  data: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Uint8Array<ArrayBuffer> {
  checkPngSize(width, height);
  if (data.byteLength !== width * height * channels) {
    throw new RangeError(`${width}x${height}x${channels} needs ${width * height * channels} bytes`);
  }
  const stride = width * channels;
  const repeats = repeatedRows(data, stride, height);
  const gray = channels === 3 && isGrayRgb(data);
  const rowAt = gray
    ? (y: number, into: Uint8Array) => {
      for (let x = 0, i = y * stride; x < width; x++, i += 3) into[x] = data[i];
      return into;
    }
    : (y: number) => data.subarray(y * stride, (y + 1) * stride);
  const type = channels === 1 || gray ? 0 : 2;
  return deflateRows(width, height, type, rowAt, repeats);
}

/**
 * Which rows repeat the one above: 1 where row `y` of `height` rows of `stride` bytes equals
 * row `y - 1`, compared with the runtime's native `memcmp` (`Buffer#compare`), three times
 * faster than a loop over 32-bit words when most rows repeat.
 *
 * @param data The rows, one after the other.
 * @param stride Bytes per row.
 * @param height Rows.
 * @returns One flag per row (the first is 0).
 * @example
 * ```ts
 * import { repeatedRows } from "./png.ts";
 *
 * repeatedRows(new Uint8Array([1, 2, 1, 2, 3, 4]), 2, 3); // Uint8Array [0, 1, 0]
 * ```
 */
export function repeatedRows(data: Uint8Array, stride: number, height: number): Uint8Array {
  const rows = Buffer.from(data.buffer, data.byteOffset, stride * height);
  const repeats = new Uint8Array(height);
  for (let y = 1, start = stride; y < height; y++, start += stride) {
    repeats[y] = rows.compare(rows, start - stride, start, start, start + stride) === 0 ? 1 : 0;
  }
  return repeats;
}

/** Whether every RGB pixel has r = g = b. */
function isGrayRgb(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i += 3) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return false;
  }
  return true;
}

/**
 * The PNG of rows given by `rowAt` (as {@linkcode filterRows} takes them), filtered and deflated:
 * run-length when nearly every filtered byte is zero, else level 6.
 */
function deflateRows(
  width: number,
  height: number,
  type: PngColorType,
  rowAt: (y: number, into: Uint8Array) => Uint8Array,
  repeats: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const bpp = PNG_CHANNELS[type];
  const { rows, nonzero } = filterRows(rowAt, width * bpp, bpp, repeats);
  const runs = nonzero * RUN_RATIO < rows.byteLength;
  return assemble(
    width,
    height,
    type,
    deflateSync(rows, runs ? { strategy: constants.Z_RLE } : {}),
  );
}

/** Throws unless a PNG's width and height are positive integers. */
function checkPngSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
}

/** The PNG colour type of 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels. */
const COLOR_TYPE_OF_CHANNELS: Readonly<Record<1 | 2 | 3 | 4, PngColorType>> = {
  1: 0,
  2: 4,
  3: 2,
  4: 6,
};

const FILTER_SUB = 1;

/**
 * Encodes 16-bit samples as a 16-bit PNG of the colour type their channels make: gray,
 * gray with alpha, RGB or RGBA.
 *
 * @param samples `width * height * channels` values, row-major, channels interleaved.
 * @param width Columns, at least 1.
 * @param height Rows, at least 1.
 * @param channels 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA).
 * @returns The PNG file.
 * @throws {RangeError} A size that is not positive, or samples that do not match it.
 * @example
 * const png = encodePng16(new Uint16Array([0, 65535]), 2, 1, 1); // 1×2 16-bit gray
 */
export function encodePng16(
  samples: Uint16Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
): Uint8Array<ArrayBuffer> {
  checkPngSize(width, height);
  if (samples.length !== width * height * channels) {
    throw new RangeError(
      `${width}x${height}x${channels} needs ${width * height * channels} samples`,
    );
  }
  const rows = subFilter16(samples, width * channels, height, channels * 2);
  const idat = deflateSync(rows, { level: constants.Z_BEST_SPEED, strategy: constants.Z_RLE });
  return assemble(width, height, COLOR_TYPE_OF_CHANNELS[channels], idat, 16);
}

/**
 * Big-endian scanlines filtered with Sub: each byte minus the same byte of the pixel to
 * its left (the first pixel of a row as it is).
 */
function subFilter16(
  samples: Uint16Array,
  perRow: number,
  height: number,
  bpp: number,
): Uint8Array<ArrayBuffer> {
  const stride = perRow * 2 + 1;
  const out = new Uint8Array(height * stride);
  const step = bpp >>> 1;
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    const s = y * perRow;
    out[o] = FILTER_SUB;
    for (let i = 0; i < step; i++) {
      const v = samples[s + i];
      out[o + 1 + 2 * i] = v >>> 8;
      out[o + 2 + 2 * i] = v;
    }
    for (let i = step; i < perRow; i++) {
      const v = samples[s + i];
      const left = samples[s + i - step];
      out[o + 1 + 2 * i] = (v >>> 8) - (left >>> 8);
      out[o + 2 + 2 * i] = v - left;
    }
  }
  return out;
}

/**
 * The pixels as little-endian 32-bit words (`r | g << 8 | b << 16 | a << 24`; Deno runs on
 * little-endian CPUs only), copied only when the view is not 4-byte aligned.
 */
function wordsOf(rgba: Uint8Array): Int32Array {
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
  return new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2);
}

/** The filtered scanlines (a filter-type byte, then the row's bytes, for every row). */
interface FilteredRows {
  /** What IDAT compresses. */
  rows: Uint8Array<ArrayBuffer>;
  /** How many filtered bytes are not zero. */
  nonzero: number;
}

/**
 * Filters every row: `rowAt(y, into)` gives row `y` in the colour type's byte layout
 * (`bpp` bytes per pixel, `stride` per row), written into `into` (a scratch row) or as a
 * view of its own. A row equal to the one above becomes zeros (Up, or None after a zero
 * row), a zero row is left as it is, any other row is filtered with Paeth.
 */
function filterRows(
  rowAt: (y: number, into: Uint8Array) => Uint8Array,
  stride: number,
  bpp: number,
  repeats: Uint8Array,
): FilteredRows {
  const height = repeats.length;
  const out = filteredRows(height * (stride + 1));
  const scratch = [new Uint8Array(stride), new Uint8Array(stride)];
  let next = 0;
  let prev: Uint8Array = new Uint8Array(stride);
  let prevZero = true;
  let nonzero = 0;
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    if (repeats[y] === 1) {
      out[o] = prevZero ? FILTER_NONE : FILTER_UP;
      out.fill(0, o + 1, o + 1 + stride);
      continue;
    }
    const cur = rowAt(y, scratch[next]);
    prevZero = isZero(cur);
    if (prevZero) {
      out[o] = FILTER_NONE;
      out.fill(0, o + 1, o + 1 + stride);
    } else {
      out[o] = FILTER_PAETH;
      nonzero += paethRow(cur, prev, out, o + 1, bpp) + 1;
    }
    prev = cur;
    next ^= 1;
  }
  return { rows: out, nonzero };
}

/**
 * The largest filtered image whose buffer is kept for the next one (a 1024×1024 RGBA image):
 * the rows are deflated before the writer returns, so one buffer per isolate serves every
 * image, and a new one of several hundred kilobytes per image (zeroed, then collected) is not
 * needed. Larger images take a buffer of their own, so that none stays held.
 */
const KEPT_ROWS_BYTES = 4 * 1024 * 1024 + 1024;

let keptRows = new Uint8Array(0);

/**
 * A buffer of `bytes` for filtered scanlines, not zeroed (the filter writes every byte): the
 * isolate's kept buffer up to `KEPT_ROWS_BYTES`, a new one past it. Valid until the next call,
 * so the rows must be deflated first.
 *
 * @param bytes Its length.
 * @returns The buffer.
 * @example
 * ```ts
 * import { filteredRows } from "./png.ts";
 *
 * const rows = filteredRows(1 + 3 * 4); // one row of four RGB pixels and its filter byte
 * rows.fill(0);
 * ```
 */
export function filteredRows(bytes: number): Uint8Array<ArrayBuffer> {
  if (bytes > KEPT_ROWS_BYTES) return new Uint8Array(bytes);
  if (keptRows.byteLength < bytes) keptRows = new Uint8Array(bytes);
  return keptRows.subarray(0, bytes);
}

function isZero(row: Uint8Array): boolean {
  for (let i = 0; i < row.length; i++) if (row[i] !== 0) return false;
  return true;
}

/** Writes `count` pixels from `start` in the colour type's byte layout; `row` is 4-byte aligned. */
function packRow(
  words: Int32Array,
  start: number,
  count: number,
  type: PngColorType,
  row: Uint8Array,
): void {
  switch (type) {
    case 0:
      for (let x = 0; x < count; x++) row[x] = words[start + x];
      break;
    case 2:
      packRgb(words, start, count, row);
      break;
    case 4:
      for (let x = 0, j = 0; x < count; x++, j += 2) {
        const w = words[start + x];
        row[j] = w;
        row[j + 1] = w >>> 24;
      }
      break;
    case 6:
      row.set(new Uint8Array(words.buffer, words.byteOffset + start * 4, count * 4));
      break;
  }
}

/** RGBA words to RGB bytes, four pixels (three words) at a time. */
function packRgb(words: Int32Array, start: number, count: number, row: Uint8Array): void {
  const quads = count >>> 2;
  const out = new Int32Array(row.buffer, row.byteOffset, quads * 3);
  for (let k = 0, i = start, j = 0; k < quads; k++, i += 4, j += 3) {
    const p1 = words[i + 1];
    const p2 = words[i + 2];
    out[j] = (words[i] & 0xffffff) | (p1 << 24);
    out[j + 1] = ((p1 >>> 8) & 0xffff) | (p2 << 16);
    out[j + 2] = ((p2 >>> 16) & 0xff) | (words[i + 3] << 8);
  }
  for (let x = quads * 4, j = quads * 12; x < count; x++, j += 3) {
    const w = words[start + x];
    row[j] = w;
    row[j + 1] = w >>> 8;
    row[j + 2] = w >>> 16;
  }
}

/**
 * Paeth-filters `cur` against `prev` into `out` from `o` (with no left neighbour it
 * predicts up) and counts the bytes that are not zero.
 */
function paethRow(
  cur: Uint8Array,
  prev: Uint8Array,
  out: Uint8Array,
  o: number,
  bpp: number,
): number {
  let nonzero = 0;
  for (let i = 0; i < bpp; i++) {
    const v = (cur[i] - prev[i]) & 0xff;
    out[o + i] = v;
    if (v !== 0) nonzero++;
  }
  for (let i = bpp; i < cur.length; i++) {
    const a = cur[i - bpp];
    const b = prev[i];
    const c = prev[i - bpp];
    const pa = Math.abs(b - c);
    const pb = Math.abs(a - c);
    const pc = Math.abs(a + b - c - c);
    const v = (cur[i] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
    out[o + i] = v;
    if (v !== 0) nonzero++;
  }
  return nonzero;
}

/** Signature, IHDR, one IDAT holding the zlib stream, IEND. */
function assemble(
  width: number,
  height: number,
  type: PngColorType,
  idat: Uint8Array,
  depth: 8 | 16 = 8,
): Uint8Array<ArrayBuffer> {
  const idatLength = idat.byteLength;
  const file = new Uint8Array(8 + 25 + 12 + idatLength + 12);
  const view = new DataView(file.buffer);
  file.set(PNG_SIGNATURE);
  let o = 8;
  const chunk = (name: string, length: number, fill: (at: number) => void) => {
    view.setUint32(o, length);
    for (let i = 0; i < 4; i++) file[o + 4 + i] = name.charCodeAt(i);
    fill(o + 8);
    view.setUint32(o + 8 + length, crc32(file.subarray(o + 4, o + 8 + length)));
    o += 12 + length;
  };
  chunk("IHDR", 13, (at) => {
    view.setUint32(at, width);
    view.setUint32(at + 4, height);
    file.set([depth, type, 0, 0, 0], at + 8);
  });
  chunk("IDAT", idatLength, (at) => file.set(idat, at));
  chunk("IEND", 0, () => {});
  return file;
}

/** How long each frame of an animated PNG shows, and how often it plays. */
export interface ApngTiming {
  /** Each frame's delay, `delayNumerator / delayDenominator` seconds (both 0–65535). */
  readonly delayNumerator: number;
  /** See `delayNumerator`; 0 counts as 100, as the APNG specification says. */
  readonly delayDenominator: number;
  /** Times the animation plays; 0 forever. */
  readonly loop: number;
}

/**
 * Encodes frames of equal size as an animated PNG (APNG): every frame whole (no offsets,
 * no blending), the first one also the still image that readers without APNG show.
 * 8-bit samples are written at 8 bits, 16-bit ones at 16 (big-endian).
 *
 * @param samples `frames * width * height * channels` values, frame after frame.
 * @param width Columns of a frame, at least 1.
 * @param height Rows of a frame, at least 1.
 * @param channels 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA).
 * @param frames Frames, at least 1.
 * @param timing Delay per frame and loop count.
 * @returns The APNG file.
 * @throws {RangeError} A size that is not positive, or samples that do not match it.
 * @example
 * const apng = encodeApng(new Uint8Array([0, 255]), 1, 1, 1, 2, {
 *   delayNumerator: 1, delayDenominator: 10, loop: 0,
 * });
 */
export function encodeApng(
  samples: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  frames: number,
  timing: ApngTiming,
): Uint8Array<ArrayBuffer> {
  const perFrame = width * height * channels;
  if (!(width >= 1 && height >= 1 && frames >= 1) || samples.length !== perFrame * frames) {
    throw new RangeError(`${frames} frames of ${width}x${height}x${channels} do not match`);
  }
  const deep = samples instanceof Uint16Array;
  const chunks: [string, Uint8Array][] = [];
  const ihdr = new Uint8Array(13);
  const header = new DataView(ihdr.buffer);
  header.setUint32(0, width);
  header.setUint32(4, height);
  ihdr.set([deep ? 16 : 8, COLOR_TYPE_OF_CHANNELS[channels], 0, 0, 0], 8);
  chunks.push(["IHDR", ihdr]);
  chunks.push(["acTL", uint32s(frames, timing.loop)]);
  let sequence = 0;
  for (let f = 0; f < frames; f++) {
    const frame = samples.subarray(f * perFrame, (f + 1) * perFrame);
    const rows = deep
      ? subFilter16(frame as Uint16Array, width * channels, height, channels * 2)
      : subFilter8(frame as Uint8Array, width * channels, height, channels);
    const data = deflateSync(rows, deep ? { level: 1, strategy: constants.Z_RLE } : {});
    const fctl = new Uint8Array(26);
    const view = new DataView(fctl.buffer);
    view.setUint32(0, sequence++);
    view.setUint32(4, width);
    view.setUint32(8, height);
    view.setUint16(20, timing.delayNumerator);
    view.setUint16(22, timing.delayDenominator);
    chunks.push(["fcTL", fctl]);
    if (f === 0) chunks.push(["IDAT", data]);
    else {
      const fdat = new Uint8Array(4 + data.byteLength);
      new DataView(fdat.buffer).setUint32(0, sequence++);
      fdat.set(data, 4);
      chunks.push(["fdAT", fdat]);
    }
  }
  chunks.push(["IEND", new Uint8Array(0)]);
  return pngFile(chunks);
}

function uint32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v));
  return out;
}

/** 8-bit scanlines filtered with Sub. */
function subFilter8(
  bytes: Uint8Array,
  perRow: number,
  height: number,
  bpp: number,
): Uint8Array<ArrayBuffer> {
  const stride = perRow + 1;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const o = y * stride + 1;
    const s = y * perRow;
    out[o - 1] = FILTER_SUB;
    for (let i = 0; i < bpp; i++) out[o + i] = bytes[s + i];
    for (let i = bpp; i < perRow; i++) out[o + i] = bytes[s + i] - bytes[s + i - bpp];
  }
  return out;
}

/**
 * A PNG file from its chunks: the signature, then each chunk with its length and CRC.
 *
 * @param chunks Name and data of each chunk, in order (`IHDR` first, `IEND` last).
 * @returns The file.
 * @example
 * ```ts
 * import { pngFile } from "./png.ts";
 *
 * const iend = pngFile([["IEND", new Uint8Array(0)]]);
 * console.log(iend.length); // 20: the signature and one empty chunk
 * ```
 */
export function pngFile(chunks: readonly [string, Uint8Array][]): Uint8Array<ArrayBuffer> {
  let size = 8;
  for (const [, data] of chunks) size += 12 + data.byteLength;
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  file.set(PNG_SIGNATURE);
  let o = 8;
  for (const [name, data] of chunks) {
    view.setUint32(o, data.byteLength);
    for (let i = 0; i < 4; i++) file[o + 4 + i] = name.charCodeAt(i);
    file.set(data, o + 8);
    view.setUint32(o + 8 + data.byteLength, crc32(file.subarray(o + 4, o + 8 + data.byteLength)));
    o += 12 + data.byteLength;
  }
  return file;
}
