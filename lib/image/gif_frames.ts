/**
 * The frame rectangles of a GIF, read from its image descriptors without decoding any
 * pixel, so every frame counts against the pixel limit: a GIF's logical screen may be
 * 1×1 while one of its frames says 20000×20000.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";

/** Where a frame lies on the logical screen. */
export interface GifFrame {
  /** Column of its left edge. */
  readonly left: number;
  /** Row of its top edge. */
  readonly top: number;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

const EXTENSION = 0x21;
const IMAGE = 0x2c;

/** The offset just past a run of data sub-blocks starting at `at`, or the end of the file. */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
  return at + 1;
}

/** Bytes of a colour table a packed field announces (0 without one). */
function colorTableSize(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0;
}

/**
 * Lists the frames a GIF's image descriptors declare, in order, up to the trailer or to
 * where the file stops making sense (the decoder reports that).
 *
 * @param bytes The whole file.
 * @returns The frames' rectangles.
 * @example
 * gifFrames(await Deno.readFile("fixtures/frames.gif")).length; // its frame count
 */
export function gifFrames(bytes: Uint8Array): GifFrame[] {
  const frames: GifFrame[] = [];
  if (bytes.length < 13) return frames;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 13 + colorTableSize(bytes[10]);
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === EXTENSION) {
      at = skipSubBlocks(bytes, at + 2);
    } else if (block === IMAGE && at + 10 <= bytes.length) {
      frames.push({
        left: view.getUint16(at + 1, true),
        top: view.getUint16(at + 3, true),
        width: view.getUint16(at + 5, true),
        height: view.getUint16(at + 7, true),
      });
      at = skipSubBlocks(bytes, at + 10 + colorTableSize(bytes[at + 9]) + 1);
    } else {
      break;
    }
  }
  return frames;
}

/**
 * Checks every frame of a GIF against a pixel limit before any is decoded.
 *
 * @param bytes The whole file.
 * @param maxPixels The largest width × height of a frame.
 * @throws {CodecError} `unprocessable` / `too_many_pixels` naming the first frame past it.
 * @example
 * checkGifFrames(await Deno.readFile("fixtures/frames.gif"), 40_000_000); // passes
 */
export function checkGifFrames(bytes: Uint8Array, maxPixels: number): void {
  for (const { width, height } of gifFrames(bytes)) {
    const pixels = width * height;
    if (pixels > maxPixels) {
      throw new CodecError(
        "unprocessable",
        "too_many_pixels",
        `a GIF frame is ${width}x${height}, ${pixels} pixels, more than MAX_PIXELS (${maxPixels})`,
      );
    }
  }
}
