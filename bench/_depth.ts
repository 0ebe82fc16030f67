/**
 * The depth map the display-mapping benchmarks render: 1920×1080 float32 metres, smooth
 * surfaces with a little sensor noise and a NaN hole, seeded so every run sees the same one.
 *
 * @module
 */

import type { PixelArray } from "../lib/arrays/types.ts";

/** Columns of {@linkcode depthMap}. */
export const DEPTH_WIDTH = 1920;

/** Rows of {@linkcode depthMap}. */
export const DEPTH_HEIGHT = 1080;

/** A depth map in metres: smooth surfaces, sensor noise, a NaN hole (seeded, repeatable). */
export function depthMap(): PixelArray {
  const data = new Float32Array(DEPTH_WIDTH * DEPTH_HEIGHT);
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let y = 0; y < DEPTH_HEIGHT; y++) {
    for (let x = 0; x < DEPTH_WIDTH; x++) {
      data[y * DEPTH_WIDTH + x] = 5 + 3 * Math.sin(x / 90) * Math.cos(y / 70) +
        1.5 * (y / DEPTH_HEIGHT) + 0.05 * random();
    }
  }
  for (let y = 400; y < 460; y++) data.fill(NaN, y * DEPTH_WIDTH + 900, y * DEPTH_WIDTH + 1000);
  return { shape: [DEPTH_HEIGHT, DEPTH_WIDTH], dtype: "float32", data };
}
