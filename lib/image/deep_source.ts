/**
 * Source files that hold 16-bit samples (PNG, TIFF), read as 16-bit pixels so that
 * `GET /images/{stem}.png` keeps every bit.
 *
 * @module
 */

import { decode as decodeTiff } from "tiff";
import { arrayToChannels16 } from "../arrays/bits.ts";
import type { ChannelPixels } from "./encode.ts";
import { decodeImageArray } from "./decode_array.ts";
import { readSourceHeader } from "./source.ts";

/**
 * Whether a source file stores 16 bits per sample: a PNG whose IHDR says 16, or a TIFF
 * whose first page does.
 *
 * @param bytes The whole file.
 * @returns `true` for a 16-bit PNG or TIFF.
 * @example
 * holdsSixteenBits(await Deno.readFile("depth.png")); // true
 */
export function holdsSixteenBits(bytes: Uint8Array): boolean {
  switch (readSourceHeader(bytes)?.format) {
    case "png":
      return bytes[24] === 16;
    case "tiff":
      try {
        const [ifd] = decodeTiff(bytes, { ignoreImageData: true, pages: [0] });
        return ifd?.bitsPerSample === 16;
      } catch {
        return false;
      }
    default:
      return false;
  }
}

/**
 * The 16-bit pixels of a 16-bit source (one frame), in its own channels, or `undefined`
 * for a source of 8 bits or fewer.
 *
 * @param bytes The whole file.
 * @param maxPixels The pixel limit.
 * @returns Pixels with `bits: 16`, or `undefined`.
 * @throws {CodecError} As {@linkcode decodeImageArray}.
 * @example
 * const pixels = await sixteenBitPixels(await Deno.readFile("depth.png"), 40_000_000);
 */
export async function sixteenBitPixels(
  bytes: Uint8Array,
  maxPixels: number,
): Promise<ChannelPixels | undefined> {
  if (!holdsSixteenBits(bytes)) return undefined;
  const { array } = await decodeImageArray(bytes, { maxPixels, maxFrames: Infinity, frame: 0 });
  if (array.dtype !== "uint16") return undefined;
  return arrayToChannels16(array, { maxPixels });
}
