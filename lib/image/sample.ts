/**
 * The sample image of the user story: black, with a pure red square filling
 * the upper-left quarter (512×512 by default, red over rows and columns 0–255).
 *
 * @module
 */

import { Image } from "imagescript";

/** Width and height of the default sample. */
export const SAMPLE_SIZE = 512;

/**
 * Builds the sample pattern at any size: red (255, 0, 0) over rows
 * `0…⌊h/2⌋-1` and columns `0…⌊w/2⌋-1`, opaque black elsewhere.
 *
 * @param width Columns, at least 1.
 * @param height Rows, at least 1.
 * @returns An opaque RGBA image.
 * @example
 * ```ts
 * import { sampleImage } from "./sample.ts";
 *
 * const image = sampleImage(512, 512);
 * image.getRGBAAt(1, 1); // 0xff0000ff (ImageScript counts from 1)
 * ```
 */
export function sampleImage(width = SAMPLE_SIZE, height = SAMPLE_SIZE): Image {
  const image = new Image(width, height);
  const px = new Uint32Array(
    image.bitmap.buffer,
    image.bitmap.byteOffset,
    width * height,
  );
  const black = rgbaWord(0, 0, 0, 255);
  const red = rgbaWord(255, 0, 0, 255);
  px.fill(black);
  const half = Math.floor(width / 2);
  for (let y = 0; y < Math.floor(height / 2); y++) {
    px.fill(red, y * width, y * width + half);
  }
  return image;
}

/** The four bytes r, g, b, a as one word in this machine's byte order. */
function rgbaWord(r: number, g: number, b: number, a: number): number {
  return new Uint32Array(new Uint8Array([r, g, b, a]).buffer)[0];
}
