/**
 * Test helpers: decode any served image back to RGBA pixels and check the
 * sample pattern pixel by pixel.
 *
 * @module
 */

import assert from "node:assert/strict";
import { GIF, Image } from "imagescript";
import sharp from "sharp";
import { sniffImageFormat } from "../lib/image/format.ts";

/** Decoded pixels, RGBA, row-major. */
export interface Pixels {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** `width * height * 4` bytes. */
  rgba: Uint8Array;
}

/**
 * Decodes PNG, JPEG, GIF, TIFF (ImageScript) or WebP (libvips through sharp).
 *
 * @param bytes An encoded image.
 * @returns Its pixels.
 */
export async function decodePixels(bytes: Uint8Array): Promise<Pixels> {
  const format = sniffImageFormat(bytes);
  if (format === "webp") {
    const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({
      resolveWithObject: true,
    });
    return { width: info.width, height: info.height, rgba: new Uint8Array(data) };
  }
  if (format === "gif") {
    const frame = (await GIF.decode(bytes))[0];
    return { width: frame.width, height: frame.height, rgba: new Uint8Array(frame.bitmap) };
  }
  assert.ok(format !== undefined, "not an image");
  const image = await Image.decode(bytes);
  return { width: image.width, height: image.height, rgba: new Uint8Array(image.bitmap) };
}

/**
 * Asserts the sample pattern: red upper-left quarter, opaque black elsewhere.
 *
 * @param pixels Decoded pixels.
 * @param width Expected columns.
 * @param height Expected rows.
 * @param tolerance Largest difference per channel (0 for lossless formats).
 * @param margin Pixels next to the red square's edges skipped (lossy ringing).
 */
export function assertSamplePattern(
  pixels: Pixels,
  width: number,
  height: number,
  tolerance = 0,
  margin = 0,
): void {
  assert.equal(pixels.width, width);
  assert.equal(pixels.height, height);
  const w2 = Math.floor(width / 2);
  const h2 = Math.floor(height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (Math.abs(x - w2) < margin || Math.abs(y - h2) < margin) continue;
      const red = x < w2 && y < h2;
      const expected = [red ? 255 : 0, 0, 0, 255];
      const i = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const got = pixels.rgba[i + c];
        if (Math.abs(got - expected[c]) > tolerance) {
          assert.fail(
            `pixel (${x},${y}) channel ${c}: got ${got}, expected ${expected[c]} ±${tolerance}`,
          );
        }
      }
    }
  }
}
