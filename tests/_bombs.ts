/**
 * Test helpers: tiny hostile images that declare a small size and decode to a huge one.
 *
 * @module
 */

import { zlibSync } from "fflate";
import { encodePixels } from "../lib/image/encode.ts";

/** One TIFF tag: number, type (3 SHORT, 4 LONG) and values. */
type Tag = readonly [number, 3 | 4, readonly number[]];

/**
 * A little-endian TIFF with one 8-bit gray image and the given strips.
 *
 * @param width Columns.
 * @param height Rows.
 * @param compression 1 none, 5 LZW, 8 deflate.
 * @param strips Compressed strips; `offsets` may point several entries at one strip.
 * @returns The file.
 */
export function grayTiff(
  width: number,
  height: number,
  compression: number,
  strips: { data: Uint8Array; entries: number },
): Uint8Array<ArrayBuffer> {
  const { data, entries } = strips;
  const ifdAt = 8;
  const tagsCount = 9;
  const ifdSize = 2 + tagsCount * 12 + 4;
  const arraysAt = ifdAt + ifdSize;
  const needArrays = entries > 1;
  const dataAt = arraysAt + (needArrays ? entries * 8 : 0);
  const tags: Tag[] = [
    [256, 4, [width]],
    [257, 4, [height]],
    [258, 3, [8]],
    [259, 3, [compression]],
    [262, 3, [1]],
    [273, 4, Array(entries).fill(dataAt)],
    [277, 3, [1]],
    [278, 4, [height]],
    [279, 4, Array(entries).fill(data.length)],
  ];
  const out = new Uint8Array(dataAt + data.length);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 0x2a, 0x00]);
  view.setUint32(4, ifdAt, true);
  view.setUint16(ifdAt, tagsCount, true);
  let extra = arraysAt;
  tags.forEach(([tag, type, values], i) => {
    const at = ifdAt + 2 + i * 12;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, values.length, true);
    if (values.length === 1) {
      if (type === 3) view.setUint16(at + 8, values[0], true);
      else view.setUint32(at + 8, values[0], true);
      return;
    }
    view.setUint32(at + 8, extra, true);
    for (const v of values) {
      view.setUint32(extra, v, true);
      extra += 4;
    }
  });
  out.set(data, dataAt);
  return out;
}

/**
 * A zlib stream of `size` zero bytes.
 *
 * @param size Inflated size.
 * @returns The compressed bytes (about a thousandth of `size`).
 */
export function zlibZeros(size: number): Uint8Array {
  return zlibSync(new Uint8Array(size), { level: 9 });
}

/**
 * TIFF LZW codes (MSB first, early change) that decode to exactly `size` zero bytes, each
 * code one byte longer than the last, clearing the table before it fills.
 *
 * @param size Decoded size.
 * @returns The compressed bytes.
 */
export function lzwZeros(size: number): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0, held = 0, bits = 9, table = 258, total = 0;
  const emit = (code: number) => {
    buffer = (buffer << bits) | code;
    held += bits;
    while (held >= 8) {
      bytes.push((buffer >> (held - 8)) & 0xff);
      held -= 8;
    }
    buffer &= (1 << held) - 1;
  };
  while (total < size) {
    emit(256);
    bits = 9;
    table = 258;
    emit(0);
    total += 1;
    while (table < 4000 && total < size) {
      const length = Math.min(table - 256, size - total);
      emit(length === 1 ? 0 : 256 + length);
      total += length;
      table++;
      if (table === 511 || table === 1023 || table === 2047) bits++;
    }
  }
  emit(257);
  if (held > 0) bytes.push((buffer << (8 - held)) & 0xff);
  return new Uint8Array(bytes);
}

/**
 * A GIF whose logical screen is `screen` but whose one frame is `frame` (LZW data for a
 * single pixel): the reproduction of a frame that bypasses the screen's pixel count.
 *
 * @param screen Width and height of the logical screen.
 * @param frame Left, top, width and height of the frame.
 * @returns The file.
 */
export function gifWithFrame(
  screen: readonly [number, number],
  frame: readonly [number, number, number, number],
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(35);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode("GIF89a"));
  view.setUint16(6, screen[0], true);
  view.setUint16(8, screen[1], true);
  out.set([0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x2c], 10);
  frame.forEach((v, i) => view.setUint16(20 + i * 2, v, true));
  out.set([0, 0x02, 0x02, 0x4c, 0x01, 0x00, 0x3b], 28);
  return out;
}

/**
 * A tiny baseline JPEG whose frame header says `width`×`height`: 16×16 of data, the
 * rest of the frame missing, which decoders fill in (slowly, for a large frame).
 *
 * @param width Declared columns.
 * @param height Declared rows.
 * @returns The file.
 */
export async function jpegWithFrame(
  width: number,
  height: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const jpeg = await encodePixels(
    { width: 16, height: 16, rgba: new Uint8Array(16 * 16 * 4).fill(200) },
    "jpeg",
    { quality: 50 },
  );
  const bytes = new Uint8Array(jpeg);
  const view = new DataView(bytes.buffer);
  for (let i = 2; i + 9 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) {
      view.setUint16(i + 5, height);
      view.setUint16(i + 7, width);
      return bytes;
    }
  }
  throw new Error("the encoder wrote no baseline frame header");
}
