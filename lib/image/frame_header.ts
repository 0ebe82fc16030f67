/**
 * How many frames an image file holds and how large its canvas is, read from its
 * structure without decoding a pixel: APNG's `acTL`, GIF's image descriptors (data
 * sub-blocks skipped by their lengths), WebP's `VP8X` canvas and `ANMF` chunks. Every
 * other file holds one frame.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";

/** What the structure of a file says about its frames. */
export interface FrameHeader {
  /** Frames; 1 for a still image. */
  readonly frames: number;
  /** Columns of the canvas, when the scan learnt them (GIF, WebP). */
  readonly width?: number;
  /** Rows of the canvas, when the scan learnt them (GIF, WebP). */
  readonly height?: number;
}

/**
 * Counts the frames of a PNG (APNG), GIF or WebP file.
 *
 * @param bytes The whole file.
 * @param format Its container, from its magic bytes.
 * @returns Frames and, for GIF and WebP, the canvas size.
 * @throws {CodecError} `unsupported_media` `undecodable_image` when the structure is cut short.
 * @example
 * readFrameHeader(await Deno.readFile("fixtures/sample.png"), "png"); // { frames: 1 }
 */
export function readFrameHeader(bytes: Uint8Array, format: string): FrameHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case "png":
      return { frames: apngFrames(bytes, view) };
    case "gif":
      return gifFrames(bytes, view);
    case "webp":
      return webpFrames(bytes, view);
    default:
      return { frames: 1 };
  }
}

function truncated(format: string): CodecError {
  return new CodecError(
    "unsupported_media",
    "undecodable_image",
    `the ${format} file is cut short or malformed`,
  );
}

function tag(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** The frame count of `acTL` when it comes before the first `IDAT`, else 1. */
function apngFrames(bytes: Uint8Array, view: DataView): number {
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const name = tag(bytes, at + 4);
    if (name === "IDAT" || name === "IEND") return 1;
    if (name === "acTL") {
      if (at + 12 > bytes.length) throw truncated("png");
      return Math.max(1, view.getUint32(at + 8));
    }
    at += 12 + length;
  }
  throw truncated("png");
}

function gifFrames(bytes: Uint8Array, view: DataView): FrameHeader {
  if (bytes.length < 13) throw truncated("gif");
  const width = view.getUint16(6, true);
  const height = view.getUint16(8, true);
  const flags = bytes[10];
  let at = 13 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
  let frames = 0;
  const skipBlocks = () => {
    while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
    at++;
  };
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x3b) return { frames, width, height };
    if (block === 0x21) {
      at += 2;
      skipBlocks();
    } else if (block === 0x2c) {
      frames++;
      if (at + 10 > bytes.length) break;
      const local = bytes[at + 9];
      at += 10 + (local & 0x80 ? 3 << ((local & 7) + 1) : 0) + 1;
      skipBlocks();
    } else break;
  }
  if (frames === 0) throw truncated("gif");
  return { frames, width, height };
}

function webpFrames(bytes: Uint8Array, view: DataView): FrameHeader {
  let frames = 0;
  let width: number | undefined;
  let height: number | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const name = tag(bytes, at);
    const length = view.getUint32(at + 4, true);
    if (name === "VP8X" && at + 18 <= bytes.length) {
      width = 1 + (view.getUint32(at + 12, true) & 0xffffff);
      height = 1 + (view.getUint32(at + 15, true) & 0xffffff);
    }
    if (name === "ANMF") frames++;
    at += 8 + length + (length & 1);
  }
  return { frames: Math.max(1, frames), width, height };
}
