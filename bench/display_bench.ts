/**
 * Where a colormapped 1920×1080 float32 render spends its time, in-process (no HTTP): the
 * range with percentiles, the mapping to palette indices, the indexed PNG, and the three as
 * the encode worker runs them, against the PNG of the same picture as uint8 RGB (the
 * baseline: what `POST /render.png` of a uint8 RGB array encodes).
 *
 * Run: `deno bench -A bench/display_bench.ts`
 *
 * @module
 */

import { displayRange, expandIndexed, mapDisplay } from "../lib/arrays/display.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { encodeDisplay } from "../lib/image/display_job.ts";
import { encodePixels, toRgba } from "../lib/image/encode.ts";
import { encodeIndexedPng } from "../lib/image/png_indexed.ts";

const WIDTH = 1920;
const HEIGHT = 1080;
const OPTIONS = { cmap: "viridis", vmin: { percentile: 2 }, vmax: { percentile: 98 } };

/** The depth map of `bench/display_load.ts`: smooth surfaces, noise, a NaN hole. */
function depthMap(): PixelArray {
  const data = new Float32Array(WIDTH * HEIGHT);
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      data[y * WIDTH + x] = 5 + 3 * Math.sin(x / 90) * Math.cos(y / 70) + 1.5 * (y / HEIGHT) +
        0.05 * random();
    }
  }
  for (let y = 400; y < 460; y++) data.fill(NaN, y * WIDTH + 900, y * WIDTH + 1000);
  return { shape: [HEIGHT, WIDTH], dtype: "float32", data };
}

const depth = depthMap();
const range = displayRange([depth], OPTIONS);
const pixels = mapDisplay(depth, range, OPTIONS);
if (pixels.kind !== "indexed") throw new Error("expected an indexed image");
const rgba = expandIndexed(pixels);
const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
for (let p = 0; p < WIDTH * HEIGHT; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
const bytes = new Uint8Array(depth.data.buffer);
const job = { shape: depth.shape, dtype: depth.dtype, options: OPTIONS, order: "rgb" as const };
const group = "1920x1080 float32, cmap=viridis&vmin=p2&vmax=p98";

Deno.bench({
  name: "uint8 RGB of the same picture → PNG (what /render encodes for it)",
  group,
  baseline: true,
  async fn() {
    await encodePixels(toRgba({ width: WIDTH, height: HEIGHT, channels: 3, data: rgb }), "png");
  },
});
Deno.bench({
  name: "whole: range, mapping and indexed PNG (what the encode worker runs)",
  group,
  async fn() {
    await encodeDisplay(bytes, job, "png");
  },
});
Deno.bench({
  name: "displayRange: p2 and p98",
  group,
  fn: () => void displayRange([depth], OPTIONS),
});
Deno.bench({
  name: "mapDisplay: palette indices",
  group,
  fn: () => void mapDisplay(depth, range, OPTIONS),
});
Deno.bench({
  name: "encodeIndexedPng",
  group,
  fn: () => void encodeIndexedPng(pixels.indices, WIDTH, HEIGHT, pixels.palette),
});
