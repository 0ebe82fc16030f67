/**
 * Image files as sources: their dimensions read from the header before any
 * pixel is decoded (so the pixel limit is enforced before memory is spent),
 * then PNG, JPEG and GIF (first frame) decoded by ImageScript and TIFF by
 * `npm:tiff` (the TIFF codec of the ImageScript version pinned in `deno.json` fails on every
 * file).
 *
 * @module
 */

import { GIF, Image } from "imagescript";
import { decode as decodeTiff, type TiffIfd } from "tiff";
import { checkPixels } from "../arrays/layout.ts";
import { CodecError } from "../codec_error.ts";
import { sniffImageFormat } from "./format.ts";
import { checkGifFrames } from "./gif_frames.ts";
import { checkTiffInflation } from "./tiff_bound.ts";

/** Extensions of source files, in the order `/images/{stem}.{ext}` tries them. */
export const SOURCE_EXTENSIONS: readonly string[] = ["png", "jpg", "jpeg", "gif", "tif", "tiff"];

/** The containers a source may be in. */
export type SourceFormat = "png" | "jpeg" | "gif" | "tiff";

/** What a header says about an image. */
export interface SourceHeader {
  /** The container, from the magic bytes. */
  readonly format: SourceFormat;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

const JPEG_SOF = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

function jpegSize(bytes: Uint8Array): [number, number] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 2;
  while (i + 9 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (JPEG_SOF.has(marker)) return [view.getUint16(i + 7), view.getUint16(i + 5)];
    const standalone = marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
    i += standalone ? 2 : 2 + view.getUint16(i + 2);
  }
  return undefined;
}

function tiffSize(bytes: Uint8Array): [number, number] | undefined {
  try {
    const [ifd] = decodeTiff(bytes, { ignoreImageData: true, pages: [0] });
    return ifd === undefined ? undefined : [ifd.width, ifd.height];
  } catch {
    return undefined;
  }
}

/**
 * Reads the container and dimensions from an image's first bytes.
 *
 * @param bytes The file.
 * @returns Format, width and height, or `undefined` when the bytes are not a
 *   PNG, JPEG, GIF or TIFF with a readable header.
 * @example
 * ```ts
 * import { readSourceHeader } from "./source.ts";
 *
 * readSourceHeader(await Deno.readFile("fixtures/sample.png"));
 * // { format: "png", width: 512, height: 512 }
 * ```
 */
export function readSourceHeader(bytes: Uint8Array): SourceHeader | undefined {
  const format = sniffImageFormat(bytes.subarray(0, 12));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size: [number, number] | undefined;
  switch (format) {
    case "png": {
      const ihdr = bytes.length >= 24 &&
        String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR";
      size = ihdr ? [view.getUint32(16), view.getUint32(20)] : undefined;
      break;
    }
    case "gif":
      size = bytes.length >= 10 ? [view.getUint16(6, true), view.getUint16(8, true)] : undefined;
      break;
    case "jpeg":
      size = jpegSize(bytes);
      break;
    case "tiff":
      size = tiffSize(bytes);
      break;
    default:
      return undefined;
  }
  if (size === undefined || size[0] === 0 || size[1] === 0) return undefined;
  return { format, width: size[0], height: size[1] };
}

function sample(data: TiffIfd["data"], i: number): number {
  const v = data[i];
  if (data instanceof Uint8Array) return v;
  if (data instanceof Uint16Array) return v >> 8;
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

function tiffImage(ifd: TiffIfd): Image {
  const { width, height, data, components } = ifd;
  const image = new Image(width, height);
  const out = image.bitmap;
  const palette = ifd.type === 3 ? ifd.palette : undefined;
  const gray = components <= 2;
  if (ifd.type > 3 || (!gray && components < 3) || (ifd.type === 3 && palette === undefined)) {
    throw new Error(`photometric interpretation ${ifd.type} is not supported`);
  }
  for (let p = 0; p < width * height; p++) {
    const i = p * components;
    let rgb: [number, number, number];
    if (palette !== undefined) {
      const entry = palette[data[i]] ?? [0, 0, 0];
      rgb = [entry[0] >> 8, entry[1] >> 8, entry[2] >> 8];
    } else if (gray) {
      const v = sample(data, i);
      const g = ifd.type === 0 ? 255 - v : v;
      rgb = [g, g, g];
    } else {
      rgb = [
        sample(data, i),
        sample(data, i + 1),
        sample(data, i + 2),
      ];
    }
    const alpha = ifd.alpha ? sample(data, i + components - 1) : 255;
    out.set([rgb[0], rgb[1], rgb[2], alpha], p * 4);
  }
  return image;
}

/**
 * Decodes a source image after checking its header against a pixel limit.
 *
 * @param bytes The whole file.
 * @param maxPixels The largest width × height decoded.
 * @returns The pixels; the first frame of a GIF.
 * @throws {CodecError} unsupported_media: Not a PNG, JPEG, GIF or TIFF, or corrupt.
 * @throws {CodecError} unprocessable: `too_many_pixels` when the header says more than `maxPixels`.
 * @example
 * ```ts
 * import { decodeSourceImage } from "./source.ts";
 *
 * const image = await decodeSourceImage(await Deno.readFile("fixtures/photo.jpg"), 40_000_000);
 * ```
 */
export async function decodeSourceImage(bytes: Uint8Array, maxPixels: number): Promise<Image> {
  const header = readSourceHeader(bytes);
  if (header === undefined) {
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      "the source is not a PNG, JPEG, GIF or TIFF image",
    );
  }
  if (header.format === "tiff") checkTiffInflation(bytes);
  if (header.format === "gif") checkGifFrames(bytes, maxPixels);
  checkPixels(header.width, header.height, maxPixels, "the source");
  try {
    switch (header.format) {
      case "gif": {
        const [frame] = await GIF.decode(bytes, true);
        const image = new Image(frame.width, frame.height);
        image.bitmap.set(frame.bitmap);
        return image;
      }
      case "tiff":
        return tiffImage(decodeTiff(bytes, { pages: [0] })[0]);
      default:
        return await Image.decode(bytes);
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      `the ${header.format} source cannot be decoded: ${why}`,
    );
  }
}
