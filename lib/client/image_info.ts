/**
 * What the client tells about a saved image: its format and width×height,
 * decoded with ImageScript (PNG, JPEG, GIF, TIFF) or read from the WebP
 * header (ImageScript cannot decode WebP).
 *
 * @module
 */

import { GIF, Image } from "imagescript";
import { sniffImageFormat } from "../image/format.ts";

/** The format and size of an image. */
export interface ImageInfo {
  /** `png`, `jpeg`, `webp`, `gif` or `tiff`. */
  readonly format: string;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Whether the pixels were decoded (`false`: size read from the WebP header). */
  readonly decoded: boolean;
}

/**
 * Decodes an image enough to know its size.
 *
 * @param bytes The whole file.
 * @returns Format and size, or `undefined` when the bytes are not an image this
 *   client knows, or do not decode.
 * @example
 * ```ts
 * import { describeImage } from "./image_info.ts";
 *
 * await describeImage(await Deno.readFile("fixtures/sample.png"));
 * // { format: "png", width: 512, height: 512, decoded: true }
 * ```
 */
export async function describeImage(bytes: Uint8Array): Promise<ImageInfo | undefined> {
  const format = sniffImageFormat(bytes);
  try {
    switch (format) {
      case undefined:
        return undefined;
      case "webp": {
        const size = webpSize(bytes);
        return size === undefined ? undefined : { format, ...size, decoded: false };
      }
      case "gif": {
        const frame = (await GIF.decode(bytes, true))[0];
        return { format, width: frame.width, height: frame.height, decoded: true };
      }
      default: {
        const image = await Image.decode(bytes);
        return { format, width: image.width, height: image.height, decoded: true };
      }
    }
  } catch {
    return undefined;
  }
}

/**
 * Whether a file starts with the magic bytes of an image format.
 *
 * @param path The file.
 * @returns `true` for PNG, JPEG, GIF, WebP or TIFF magic.
 * @example
 * ```ts
 * import { startsLikeImage } from "./image_info.ts";
 *
 * await startsLikeImage("fixtures/sample.png"); // true
 * ```
 */
export async function startsLikeImage(path: string): Promise<boolean> {
  using file = await Deno.open(path);
  const head = new Uint8Array(16);
  let filled = 0;
  while (filled < head.length) {
    const n = await file.read(head.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return sniffImageFormat(head.subarray(0, filled)) !== undefined;
}

/**
 * The canvas size in a WebP header (`VP8X`, lossy `VP8 `, lossless `VP8L`).
 *
 * @param bytes A WebP file (its first 30 bytes are enough).
 * @returns Width and height, or `undefined` when the header is not one of those.
 * @example
 * ```ts
 * import { encode } from "../image/encode.ts";
 * import { sampleImage } from "../image/sample.ts";
 * import { webpSize } from "./image_info.ts";
 *
 * webpSize(await encode(sampleImage(), "webp")); // { width: 512, height: 512 }
 * ```
 */
export function webpSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 30) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  const u24 = (at: number) => view.getUint16(at, true) | (bytes[at + 2] << 16);
  if (chunk === "VP8X") return { width: u24(24) + 1, height: u24(27) + 1 };
  if (chunk === "VP8 " && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) {
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === "VP8L" && bytes[20] === 0x2f) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}
