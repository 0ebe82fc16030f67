/**
 * A GIF writer for images of at most 256 colours, exact by construction: every opaque
 * colour gets its own palette entry and fully transparent pixels share one transparent
 * entry; the indices are LZW-compressed as GIF89a requires. Images with more colours, or
 * with partial transparency, need a quantizer and are not written here
 * ({@linkcode gifPalette} says so by returning `undefined`).
 *
 * @module
 */

/** The largest width or height a GIF can hold. */
export const GIF_MAX_SIDE = 65535;

const MAX_CODE = 4095;
/** The palette key of every fully transparent pixel: no 32-bit signed word is this large. */
const TRANSPARENT = 2 ** 31;
/** What no pixel word equals, to start the loop. */
const NO_PIXEL = 2 ** 32;
const HASH_SIZE = 5003;

/** Palette indices of an image with at most 256 colours. */
export interface GifPalette {
  /** One index per pixel. */
  readonly indices: Uint8Array;
  /** RGB triplets, one per entry (the transparent entry is black). */
  readonly colors: Uint8Array;
  /** The index of the transparent entry, or `undefined` when every pixel is opaque. */
  readonly transparent: number | undefined;
}

/**
 * Indexes the colours of RGBA pixels, or tells that a GIF cannot hold them exactly.
 *
 * @param rgba Pixels, 4 bytes each.
 * @returns The palette, or `undefined` with more than 256 colours or an alpha other
 *   than 0 and 255.
 * @example
 * ```ts
 * import { gifPalette } from "./gif.ts";
 *
 * gifPalette(new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0]))?.transparent; // 1
 * ```
 */
export function gifPalette(rgba: Uint8Array): GifPalette | undefined {
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2);
  const indices = new Uint8Array(words.length);
  const entries = new Map<number, number>();
  let lastWord = NO_PIXEL;
  let lastIndex = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w !== lastWord) {
      const alpha = w >>> 24;
      if (alpha !== 0 && alpha !== 0xff) return undefined;
      const key = alpha === 0 ? TRANSPARENT : w;
      let index = entries.get(key);
      if (index === undefined) {
        index = entries.size;
        if (index === 256) return undefined;
        entries.set(key, index);
      }
      lastWord = w;
      lastIndex = index;
    }
    indices[i] = lastIndex;
  }
  const colors = new Uint8Array(entries.size * 3);
  for (const [key, index] of entries) {
    if (key === TRANSPARENT) continue;
    colors.set([key & 0xff, (key >>> 8) & 0xff, (key >>> 16) & 0xff], index * 3);
  }
  return { indices, colors, transparent: entries.get(TRANSPARENT) };
}

/**
 * Writes a single-frame GIF89a from palette indices.
 *
 * @param palette From {@linkcode gifPalette}.
 * @param width Columns, 1 to {@linkcode GIF_MAX_SIDE}.
 * @param height Rows, 1 to {@linkcode GIF_MAX_SIDE}.
 * @returns The GIF file.
 * @throws {RangeError} A size a GIF cannot hold, or indices that do not match it.
 * @example
 * ```ts
 * import { encodeGif, gifPalette } from "./gif.ts";
 *
 * const palette = gifPalette(new Uint8Array([255, 0, 0, 255]));
 * const gif = palette && encodeGif(palette, 1, 1);
 * ```
 */
export function encodeGif(
  palette: GifPalette,
  width: number,
  height: number,
): Uint8Array<ArrayBuffer> {
  checkGifSize(width, height);
  if (palette.indices.length !== width * height) {
    throw new RangeError(`${width}x${height} needs ${width * height} indices`);
  }
  let bits = 1;
  while (1 << bits < palette.colors.length / 3) bits++;
  const table = new Uint8Array(3 << bits);
  table.set(palette.colors);
  const data = lzw(palette.indices, Math.max(2, bits));
  const out = new ByteWriter(13 + table.length + 8 + 10 + 1 + data.length + 2);
  out.bytes([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  out.u16(width);
  out.u16(height);
  out.bytes([0xf0 | (bits - 1), 0, 0]);
  out.bytes(table);
  if (palette.transparent !== undefined) {
    out.bytes([0x21, 0xf9, 4, 1, 0, 0, palette.transparent, 0]);
  }
  out.bytes([0x2c, 0, 0, 0, 0]);
  out.u16(width);
  out.u16(height);
  out.bytes([0, Math.max(2, bits)]);
  out.bytes(data);
  out.bytes([0, 0x3b]);
  return out.done();
}

/** Appends bytes to a buffer of known size. */
class ByteWriter {
  #buffer: Uint8Array<ArrayBuffer>;
  #at = 0;

  constructor(size: number) {
    this.#buffer = new Uint8Array(size);
  }

  bytes(bytes: ArrayLike<number>): void {
    this.#buffer.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  u16(n: number): void {
    this.bytes([n & 0xff, n >>> 8]);
  }

  done(): Uint8Array<ArrayBuffer> {
    return this.#buffer.subarray(0, this.#at);
  }
}

/** Variable-width LZW of the indices, packed LSB first into sub-blocks of 255 bytes. */
function lzw(indices: Uint8Array, minCodeSize: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const keys = new Int32Array(HASH_SIZE);
  const codes = new Uint16Array(HASH_SIZE);
  const blocks = new SubBlockWriter(indices.length);
  let next = end + 1;
  let width = minCodeSize + 1;
  let acc = 0;
  let accBits = 0;
  const emit = (code: number) => {
    acc |= code << accBits;
    accBits += width;
    while (accBits >= 8) {
      blocks.byte(acc & 0xff);
      acc >>>= 8;
      accBits -= 8;
    }
  };
  keys.fill(-1);
  emit(clear);
  let prefix = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const symbol = indices[i];
    const key = (symbol << 12) | prefix;
    let h = ((symbol << 4) ^ prefix) % HASH_SIZE;
    const step = h === 0 ? 1 : HASH_SIZE - h;
    while (keys[h] !== -1 && keys[h] !== key) {
      h -= step;
      if (h < 0) h += HASH_SIZE;
    }
    if (keys[h] === key) {
      prefix = codes[h];
      continue;
    }
    emit(prefix);
    prefix = symbol;
    if (next <= MAX_CODE) {
      if (next === 1 << width) width++;
      keys[h] = key;
      codes[h] = next++;
    } else {
      emit(clear);
      keys.fill(-1);
      next = end + 1;
      width = minCodeSize + 1;
    }
  }
  emit(prefix);
  emit(end);
  if (accBits > 0) blocks.byte(acc & 0xff);
  return blocks.done();
}

/** Collects bytes into GIF data sub-blocks: a length byte, then up to 255 bytes. */
class SubBlockWriter {
  #buffer: Uint8Array;
  #at = 1;
  #blockStart = 0;

  constructor(expected: number) {
    this.#buffer = new Uint8Array(Math.max(1024, expected >>> 2));
  }

  byte(b: number): void {
    if (this.#at - this.#blockStart === 256) {
      this.#buffer[this.#blockStart] = 255;
      this.#blockStart = this.#at++;
    }
    if (this.#at >= this.#buffer.length) {
      const grown = new Uint8Array(this.#buffer.length * 2);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer[this.#at++] = b;
  }

  done(): Uint8Array {
    const last = this.#at - this.#blockStart - 1;
    if (last === 0) return this.#buffer.subarray(0, this.#blockStart);
    this.#buffer[this.#blockStart] = last;
    return this.#buffer.subarray(0, this.#at);
  }
}

/** How long each frame of an animated GIF shows, and how often it plays. */
export interface GifTiming {
  /** Each frame's delay in hundredths of a second (0–65535). */
  readonly delayCs: number;
  /** The NETSCAPE2.0 loop count: 0 forever. */
  readonly loop: number;
}

/**
 * Writes an animated GIF89a, each frame whole with its own exact palette (a local colour
 * table). A frame with transparent pixels is disposed to the background before the next,
 * so its transparency shows; other frames simply replace the one before.
 *
 * @param palettes One {@linkcode gifPalette} per frame, each `width * height` indices.
 * @param width Columns, 1 to {@linkcode GIF_MAX_SIDE}.
 * @param height Rows, 1 to {@linkcode GIF_MAX_SIDE}.
 * @param timing Delay per frame and loop count.
 * @returns The GIF file.
 * @throws {RangeError} A size a GIF cannot hold, or indices that do not match it.
 * @example
 * const frames = [[255, 0, 0, 255], [0, 0, 255, 255]].map((p) => gifPalette(new Uint8Array(p))!);
 * const gif = encodeGifFrames(frames, 1, 1, { delayCs: 10, loop: 0 });
 */
export function encodeGifFrames(
  palettes: readonly GifPalette[],
  width: number,
  height: number,
  timing: GifTiming,
): Uint8Array<ArrayBuffer> {
  checkGifSize(width, height);
  const parts: Uint8Array[] = [];
  let size = 13 + 19 + 1;
  for (const palette of palettes) {
    if (palette.indices.length !== width * height) {
      throw new RangeError(`${width}x${height} needs ${width * height} indices`);
    }
    let bits = 1;
    while (1 << bits < palette.colors.length / 3) bits++;
    const table = new Uint8Array(3 << bits);
    table.set(palette.colors);
    const data = lzw(palette.indices, Math.max(2, bits));
    const out = new ByteWriter(8 + 10 + table.length + 1 + data.length + 1);
    const transparent = palette.transparent !== undefined;
    out.bytes([0x21, 0xf9, 4, transparent ? 0x09 : 0x04]);
    out.u16(timing.delayCs);
    out.bytes([palette.transparent ?? 0, 0, 0x2c, 0, 0, 0, 0]);
    out.u16(width);
    out.u16(height);
    out.bytes([0x80 | (bits - 1)]);
    out.bytes(table);
    out.bytes([Math.max(2, bits)]);
    out.bytes(data);
    out.bytes([0]);
    const part = out.done();
    parts.push(part);
    size += part.length;
  }
  const out = new ByteWriter(size);
  out.bytes([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  out.u16(width);
  out.u16(height);
  out.bytes([0, 0, 0]);
  out.bytes(
    [0x21, 0xff, 11, ..."NETSCAPE2.0"].map((c) => typeof c === "string" ? c.charCodeAt(0) : c),
  );
  out.bytes([3, 1]);
  out.u16(timing.loop);
  out.bytes([0]);
  for (const part of parts) out.bytes(part);
  out.bytes([0x3b]);
  return out.done();
}

/** Refuses a size a GIF's 16-bit fields cannot hold. */
function checkGifSize(width: number, height: number): void {
  if (
    !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 ||
    width > GIF_MAX_SIDE || height > GIF_MAX_SIDE
  ) {
    throw new RangeError(`a GIF is 1 to ${GIF_MAX_SIDE} pixels a side, got ${width}x${height}`);
  }
}
