/**
 * Encoders: an ImageScript {@linkcode Image} to PNG, JPEG, WebP or GIF bytes.
 *
 * @module
 */

import {
  Frame,
  GIF,
  type GIFQuality,
  type Image,
  type JPEGQuality,
  type WEBPQuality,
} from "imagescript";
import { BadRequest } from "../errors.ts";
import { type ImageFormat, LOSSY_FORMATS } from "./format.ts";

/** JPEG quality when none is asked. */
export const DEFAULT_JPEG_QUALITY = 90;

/** How to encode. */
export interface EncodeOptions {
  /**
   * 1–100 for JPEG (default 90) and WebP (lossy); absent WebP is lossless.
   * Not accepted for PNG and GIF.
   */
  quality?: number;
}

/**
 * Checks a quality against a format.
 *
 * @param format The target format.
 * @param quality The quality asked, or `undefined`.
 * @returns The quality unchanged.
 * @throws {BadRequest} `invalid_quality`: not an integer 1–100, or the format is lossless.
 * @example
 * checkQuality("jpeg", 80); // 80
 */
export function checkQuality(
  format: ImageFormat,
  quality: number | undefined,
): number | undefined {
  if (quality === undefined) return undefined;
  if (!LOSSY_FORMATS.has(format)) {
    throw new BadRequest(
      "invalid_quality",
      `quality applies to jpeg and webp, not ${format}`,
    );
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new BadRequest(
      "invalid_quality",
      `quality must be an integer from 1 to 100`,
    );
  }
  return quality;
}

/**
 * Encodes an image.
 *
 * @param image The pixels.
 * @param format The target format.
 * @param options Quality for lossy formats.
 * @returns The encoded bytes.
 * @throws {BadRequest} A quality that {@linkcode checkQuality} rejects.
 * @example
 * const png = await encode(new Image(2, 2), "png");
 */
export async function encode(
  image: Image,
  format: ImageFormat,
  options: EncodeOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const quality = checkQuality(format, options.quality);
  let bytes: Uint8Array;
  switch (format) {
    case "png":
      bytes = await image.encode(1);
      break;
    case "jpeg":
      bytes = await image.encodeJPEG(
        (quality ?? DEFAULT_JPEG_QUALITY) as JPEGQuality,
      );
      break;
    case "webp":
      bytes = await image.encodeWEBP((quality ?? null) as WEBPQuality | null);
      break;
    case "gif":
      bytes = await new GIF([Frame.from(image)]).encode(100 as GIFQuality);
      break;
  }
  return new Uint8Array(bytes);
}
